import { afterEach, describe, expect, it } from 'vitest'
import { toDatabaseBroadcast } from '../../src/testing/emulator/realtime/databaseBroadcast'
import type { RowChange } from '../../src/testing/emulator/types'
import { fakeChangeSource, startHarness, userToken, type Harness } from './emulatorSupport'

const row = (record: Record<string, unknown>, type: RowChange['type'] = 'INSERT'): RowChange => ({
  schema: 'realtime',
  table: 'messages',
  type,
  record,
  oldRecord: null,
  columns: [],
  commitTimestamp: '2024-05-01T12:00:00.000Z',
})
const message = {
  id: '6f1c0c1e-0000-4000-8000-000000000001',
  topic: 'room',
  event: 'ping',
  extension: 'broadcast',
  private: false,
  payload: { n: 1 },
  binary_payload: null,
}

describe('Broadcast from Database without Postgres', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('reads inserts of realtime.messages as broadcasts, bytea as bytes, and nothing else (nor persisted sends)', () => {
    expect(toDatabaseBroadcast(row(message))).toEqual({
      id: message.id,
      topic: 'room',
      event: 'ping',
      payload: { n: 1 },
      isPrivate: false,
    })
    const binary = toDatabaseBroadcast(row({ ...message, payload: null, binary_payload: '\\x0102ff' }))
    expect(new Uint8Array(binary!.payload as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 255]))
    expect(toDatabaseBroadcast(row(message, 'UPDATE'))).toBeNull()
    expect(toDatabaseBroadcast(row({ ...message, extension: 'presence' }))).toBeNull()
    expect(toDatabaseBroadcast(row({ ...message, skip_broadcast: true }))).toBeNull() // a persisted client send
    expect(toDatabaseBroadcast(row({ ...message, payload: null }))).toBeNull()
    expect(toDatabaseBroadcast({ ...row(message), schema: 'public' })).toBeNull()
  })

  it('pushes a database broadcast to vsn 2.0.0 as a binary kind 4 frame carrying meta.id, to vsn 1.0.0 as JSON', async () => {
    const broadcasts = fakeChangeSource()
    const harness = (h = await startHarness({ broadcastSource: broadcasts }))
    const [v2, v1] = [await harness.raw(), await harness.raw({ vsn: '1.0.0' })]
    for (const raw of [v2, v1]) await raw.reply(raw.push('realtime:room', 'phx_join', {}))
    broadcasts.push({ ...row(message) })
    const json = await v1.next((m) => m.event === 'broadcast')
    expect(json.payload).toEqual({ type: 'broadcast', event: 'ping', payload: { n: 1 }, meta: { id: message.id } })
    await v2.reply(v2.push('phoenix', 'heartbeat'))
    const frame = v2.received.find((m): m is Buffer => Buffer.isBuffer(m))!
    expect(frame[0]).toBe(4)
    expect(frame.toString('utf8')).toContain(`{"id":"${message.id}"}`)
  })

  it('answers replication_ready with "Replication connection established", or shuts the channel down without a source', async () => {
    const first = await startHarness({ broadcastSource: fakeChangeSource() })
    h = first
    const ready = await first.raw()
    await ready.reply(ready.push('realtime:room', 'phx_join', { config: { broadcast: { replication_ready: true } } }))
    expect((await ready.next((m) => m.event === 'system')).payload).toEqual({
      extension: 'system',
      status: 'ok',
      message: 'Replication connection established',
      channel: 'room',
    })
    await first.stop()
    const second = await startHarness()
    h = second
    const none = await second.raw()
    await none.reply(none.push('realtime:room', 'phx_join', { config: { broadcast: { replication_ready: true } } }))
    expect((await none.next((m) => m.event === 'system')).payload).toMatchObject({
      status: 'error',
      message: 'Replication connection was not established in time',
    })
    await none.next((m) => m.event === 'phx_close')
  })

  it.each<[string, Record<string, unknown>, string]>([
    [
      'on a public channel',
      { broadcast: { replay: { since: 0 } } },
      'UnableToReplayMessages: Replay is not allowed for public channels',
    ],
    [
      'with a since that is not an integer',
      { private: true, broadcast: { replay: { since: '1h' } } },
      'UnableToReplayMessages: Replay params are not valid',
    ],
    [
      'with a limit that is not an integer',
      { private: true, broadcast: { replay: { since: 0, limit: 2.5 } } },
      'UnableToReplayMessages: Replay params are not valid',
    ],
    [
      'without a database to replay from',
      { private: true, broadcast: { replay: { since: 0 } } },
      'UnableToReplayMessages: Realtime was unable to replay messages',
    ],
  ])('refuses a replay join %s with the real reason', async (_name, config, reason) => {
    const harness = (h = await startHarness())
    const raw = await harness.raw()
    const ref = raw.push('realtime:log', 'phx_join', { access_token: userToken(), config })
    expect(await raw.reply(ref)).toEqual({ status: 'error', response: { reason } })
    expect(harness.server.joinedTopics()).toEqual([])
  })
})
