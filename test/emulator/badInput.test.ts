import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  decodeTextFrame,
  decodeUserBroadcastPush,
  encodeUserBroadcast,
  parseVsn,
} from '../../src/testing/emulator/protocol'
import { reached, startHarness, subscribe, type Harness, type RawClient } from './emulatorSupport'

describe("bad input gets the real server's answer (often none), never a crash", () => {
  let h: Harness
  let bystander: RawClient

  beforeEach(async () => {
    h = await startHarness({ maxPayloadBytes: 64 * 1024 })
    bystander = await h.raw()
    await bystander.reply(bystander.push('realtime:room', 'phx_join', {}))
  })
  afterEach(async () => {
    // Whatever happened, the server still serves the other client.
    expect((await bystander.reply(bystander.push('phoenix', 'heartbeat'))).status).toBe('ok')
    await h.stop()
  })

  // The real server logs MalformedWebSocketMessage and keeps the socket open (and skips UTF-8 validation).
  const skipped: [string, string | Buffer, string?][] = [
    ['text that is not JSON', '{"topic": nope'],
    ['a JSON value that is no message', '42'],
    ['an array without topic and event', '[null,"1",7,null,{}]'],
    ['a short array', '["1","1","realtime:room"]'],
    ['a vsn 1.0.0 object on a vsn 2.0.0 socket', '{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}'],
    ['a vsn 2.0.0 array on a vsn 1.0.0 socket', '[null,"1","phoenix","heartbeat",{}]', '1.0.0'],
    ['a binary frame of an unknown kind', Buffer.from([7, 1, 2, 3])],
    ['a truncated kind 3 frame', Buffer.from([3, 9, 9, 9, 9, 9, 1, 65])],
    ['a binary frame on a vsn 1.0.0 socket', Buffer.from(encodeUserBroadcast('realtime:room', 'e', {})), '1.0.0'],
    ['text that is not UTF-8', Buffer.from([0xff, 0xfe, 0xfd])],
  ]
  it.each(skipped)('skips %s and keeps the socket open', async (_name, data, vsn = '2.0.0') => {
    const raw = await h.raw({ vsn })
    if (Buffer.isBuffer(data) && data[0] === 0xff) raw.socket.send(data, { binary: false })
    else raw.sendRaw(data)
    // answered after the bad frame: the socket is still open and the frame produced nothing
    expect(await raw.reply(raw.push('phoenix', 'heartbeat'))).toEqual({ status: 'ok', response: {} })
    expect(raw.received.filter((m) => Buffer.isBuffer(m) || m.event !== 'phx_reply')).toEqual([])
  })

  it('closes a socket that sends a frame over the size limit (1009)', async () => {
    const raw = await h.raw()
    raw.sendRaw(
      JSON.stringify([null, '1', 'realtime:room', 'broadcast', { event: 'big', payload: 'x'.repeat(70 * 1024) }]),
    )
    expect((await raw.closed).code).toBe(1009)
  })

  it('answers frames for a topic the socket has not joined with "unmatched topic", and phx_leave there with ok', async () => {
    const raw = await h.raw()
    expect(
      await raw.reply(raw.push('realtime:elsewhere', 'broadcast', { type: 'broadcast', event: 'x', payload: {} })),
    ).toEqual({ status: 'error', response: { reason: 'unmatched topic' } })
    expect(await raw.reply(raw.push('realtime:elsewhere', 'phx_leave'))).toEqual({ status: 'ok', response: {} })
    expect(await raw.reply(raw.push('not-realtime', 'phx_join', {}))).toEqual({
      status: 'error',
      response: { reason: 'unmatched topic' },
    })
    expect(await raw.reply(raw.push('phoenix', 'phx_join', {}))).toEqual({
      status: 'error',
      response: { reason: 'unmatched topic' },
    })
    expect(await raw.reply(raw.push('realtime:', 'phx_join', {}))).toEqual({
      status: 'error',
      response: { reason: 'TopicNameRequired: You must provide a topic name' },
    })
  })

  it('gives unknown events on a joined topic no reply', async () => {
    const raw = await h.raw()
    await raw.reply(raw.push('realtime:room', 'phx_join', {}))
    const unknown = raw.push('realtime:room', 'teleport', {})
    expect(
      (await raw.reply(raw.push('realtime:room', 'presence', { type: 'presence', event: 'track', payload: {} })))
        .status,
    ).toBe('ok')
    expect(raw.received.some((m) => !Buffer.isBuffer(m) && m.ref === unknown)).toBe(false)
  })

  it('ignores frames that carry the join_ref of an earlier join of the topic', async () => {
    const raw = await h.raw()
    await raw.reply(raw.push('realtime:room', 'phx_join', {}, { join_ref: '1' }))
    await raw.reply(raw.push('realtime:room', 'phx_join', { config: { broadcast: { ack: true } } }, { join_ref: '2' }))
    const stale = raw.push('realtime:room', 'phx_leave', {}, { join_ref: '1' })
    const staleBroadcast = raw.push(
      'realtime:room',
      'broadcast',
      { type: 'broadcast', event: 'x', payload: {} },
      { join_ref: '1' },
    )
    expect(
      await raw.reply(
        raw.push('realtime:room', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }, { join_ref: '2' }),
      ),
    ).toEqual({ status: 'ok', response: {} })
    expect(raw.received.some((m) => !Buffer.isBuffer(m) && (m.ref === stale || m.ref === staleBroadcast))).toBe(false)
    expect(h.server.joinedTopics()).toEqual(['realtime:room'])
  })

  it('joins with defaults when the join payload is not an object, ignores a non-string access_token, and handles a duplicate join', async () => {
    const raw = await h.raw()
    expect((await raw.reply(raw.push('realtime:room', 'phx_join', 'nonsense', { join_ref: '1' }))).status).toBe('ok')
    raw.push('realtime:room', 'access_token', { access_token: 42 })
    const again = raw.push(
      'realtime:room',
      'phx_join',
      { config: { postgres_changes: 'not a list' } },
      { join_ref: '2' },
    )
    const close = await raw.next((m) => m.event === 'phx_close')
    expect(close).toMatchObject({ join_ref: '1', ref: '1', topic: 'realtime:room' })
    expect(await raw.reply(again)).toEqual({ status: 'ok', response: { postgres_changes: [] } })
    expect(h.server.joinedTopics()).toContain('realtime:room')
  })

  it('keeps serving the supabase-js client next to a misbehaving socket', async () => {
    const client = h.client()
    const statuses = subscribe(client.channel('room'))
    await reached(statuses)
    const raw = await h.raw()
    raw.sendRaw('garbage')
    await raw.reply(raw.push('phoenix', 'heartbeat'))
    expect(statuses.map((s) => s.status)).toEqual(['SUBSCRIBED'])
  })
})

describe('the codec refuses what is not a message', () => {
  it('parses vsn query values: absent means 1.0.0, unknown means null', () => {
    expect([parseVsn(null), parseVsn(''), parseVsn('1.0.0'), parseVsn('2.0.0'), parseVsn('2.1.0')]).toEqual([
      '1.0.0',
      '1.0.0',
      '1.0.0',
      '2.0.0',
      null,
    ])
  })

  it('decodes either shape without a vsn, and rejects refs that are not strings', () => {
    expect(decodeTextFrame('{"topic":"t","event":"e","payload":1}')).toEqual({
      ok: true,
      message: { join_ref: null, ref: null, topic: 't', event: 'e', payload: 1 },
    })
    expect(decodeTextFrame('["1","2","t","e",{}]')).toEqual({
      ok: true,
      message: { join_ref: '1', ref: '2', topic: 't', event: 'e', payload: {} },
    })
    expect(decodeTextFrame('[1,2,"t","e",{}]').ok).toBe(false)
  })

  it('round-trips kind 4 frames and decodes kind 3 JSON and binary payloads with meta', () => {
    const header = (joinRef: string, ref: string, topic: string, event: string, meta: string, encoding: number) =>
      Buffer.concat([
        Buffer.from([3, joinRef.length, ref.length, topic.length, event.length, meta.length, encoding]),
        Buffer.from(joinRef + ref + topic + event + meta),
      ])
    const json = Buffer.concat([header('1', '2', 'realtime:r', 'e', '{"k":1}', 1), Buffer.from('{"a":1}')])
    expect(decodeUserBroadcastPush(json)).toEqual({
      join_ref: '1',
      ref: '2',
      topic: 'realtime:r',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'e', payload: { a: 1 }, meta: { k: 1 } },
    })
    const binary = decodeUserBroadcastPush(
      Buffer.concat([header('', '', 'realtime:r', 'e', '', 0), Buffer.from([1, 2])]),
    )
    expect(new Uint8Array((binary?.payload as { payload: ArrayBuffer }).payload)).toEqual(new Uint8Array([1, 2]))
    expect(decodeUserBroadcastPush(Buffer.concat([header('', '', 't', 'e', '', 1), Buffer.from('{nope')]))).toBeNull()
    expect(decodeUserBroadcastPush(Buffer.concat([header('', '', 't', 'e', '', 5), Buffer.from('{}')]))).toBeNull()
    expect(() => encodeUserBroadcast('t'.repeat(300), 'e', {})).toThrow(RangeError)
  })
})
