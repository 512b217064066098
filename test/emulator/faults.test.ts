import { afterEach, describe, expect, it } from 'vitest'
import { FakeClock } from '../support/fakeClock'
import { waitFor } from '../support/waitFor'
import {
  connectRaw,
  reached,
  startHarness,
  subscribe,
  userToken,
  type Harness,
  type RawClient,
} from './emulatorSupport'

const FAST_RECONNECT = { reconnectAfterMs: () => 50 }
const columns = [{ name: 'id', type: 'int8' }]

const frames = (raw: RawClient, event: string) => raw.received.filter((m) => !Buffer.isBuffer(m) && m.event === event)

describe('faults: each one is in force when its command returns', () => {
  let h: Harness
  afterEach(async () => {
    await h.stop()
  })

  it('dropAllSockets cuts every socket without a close frame (1006); supabase-js reconnects and rejoins', async () => {
    h = await startHarness()
    const raw = await h.raw()
    const client = h.client({ realtime: FAST_RECONNECT })
    const statuses = subscribe(client.channel('room'))
    await reached(statuses)
    h.server.faults.dropAllSockets()
    expect(await raw.closed).toMatchObject({ code: 1006 })
    const error = await reached(statuses, 'CHANNEL_ERROR')
    expect(error.error?.message).toMatch(/socket closed: 1006/)
    await waitFor(() => statuses.filter((s) => s.status === 'SUBSCRIBED').length === 2)
  })

  it('refuseConnections refuses the next N upgrades (503), or every upgrade for a while', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0 }) // the fake clock jumps past the websocket timeout
    const attempt = () =>
      connectRaw(h.server.url).then(
        (raw) => (raw.socket.terminate(), 101),
        (error: { status?: number }) => error.status,
      )
    h.server.faults.refuseConnections({ count: 2 })
    expect([await attempt(), await attempt(), await attempt()]).toEqual([503, 503, 101])
    h.server.faults.refuseConnections({ ms: 5_000 })
    expect(await attempt()).toBe(503)
    await clock.advance(5_000)
    expect(await attempt()).toBe(101)
    expect(() => h.server.faults.refuseConnections({})).toThrow(TypeError)
    expect(() => h.server.faults.refuseConnections({ count: -1 })).toThrow(TypeError)
  })

  it('blackhole stops every answer (heartbeats, joins) until it is lifted', async () => {
    h = await startHarness()
    const raw = await h.raw()
    h.server.faults.blackhole(true)
    raw.push('phoenix', 'heartbeat')
    raw.push('realtime:room', 'phx_join', {})
    // No Phoenix frame is answered, but ws answers a ping after reading the frames sent before it.
    await new Promise((resolve) => {
      raw.socket.once('pong', resolve)
      raw.socket.ping()
    })
    expect(raw.received).toEqual([])
    h.server.faults.blackhole(false)
    expect(await raw.answered()).toBe(0) // the probe's reply is the first frame: nothing answered those two
    expect((await raw.reply(raw.push('realtime:room', 'phx_join', {}))).status).toBe('ok')
  })

  it('blackhole makes supabase-js time out its join', async () => {
    h = await startHarness()
    h.server.faults.blackhole(true)
    const client = h.client({ realtime: { timeout: 200 } })
    await reached(subscribe(client.channel('room')), 'TIMED_OUT')
  })

  it('joinReplies delays joins by the given time, drops them, and returns to normal with null', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0 }) // the fake clock jumps past the websocket timeout
    const raw = await h.raw()
    h.server.faults.joinReplies(1_000)
    const delayed = raw.push('realtime:slow', 'phx_join', {})
    expect(await raw.answered()).toBe(0) // the heartbeat after the join is answered first
    await clock.advance(1_000)
    expect((await raw.reply(delayed)).status).toBe('ok')

    h.server.faults.joinReplies('drop')
    const dropped = raw.push('realtime:dropped', 'phx_join', {})
    await raw.answered()
    await clock.advance(60_000)
    await raw.answered()
    expect(raw.received.filter((m) => !Buffer.isBuffer(m) && m.ref === dropped)).toEqual([])
    expect(h.server.joinedTopics()).toEqual(['realtime:slow'])

    h.server.faults.joinReplies(null)
    expect((await raw.reply(raw.push('realtime:normal', 'phx_join', {}))).status).toBe('ok')
    expect(() => h.server.faults.joinReplies(-5)).toThrow(TypeError)
  })

  it('joinReplies("drop") makes supabase-js time out; a leave cancels a delayed join', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0 }) // the fake clock jumps past the websocket timeout
    h.server.faults.joinReplies('drop')
    const client = h.client({ realtime: { timeout: 200 } })
    await reached(subscribe(client.channel('room')), 'TIMED_OUT')
    h.server.faults.joinReplies(1_000)
    const raw = await h.raw()
    raw.push('realtime:pending', 'phx_join', {})
    expect((await raw.reply(raw.push('realtime:pending', 'phx_leave'))).status).toBe('ok')
    await clock.advance(1_000)
    expect(h.server.joinedTopics()).not.toContain('realtime:pending')
  })

  it('channelError sends phx_error on one topic or on all; supabase-js reports CHANNEL_ERROR and rejoins', async () => {
    h = await startHarness()
    const client = h.client()
    const room = subscribe(client.channel('room'))
    const lobby = subscribe(client.channel('lobby'))
    await reached(room)
    await reached(lobby)
    h.server.faults.channelError('room')
    await reached(room, 'CHANNEL_ERROR')
    await h.answered(client)
    expect(lobby.map((s) => s.status)).toEqual(['SUBSCRIBED'])
    await waitFor(() => room.filter((s) => s.status === 'SUBSCRIBED').length === 2, { timeoutMs: 3_000 })
    h.server.faults.channelError()
    await reached(lobby, 'CHANNEL_ERROR')
  })

  it('expireTokens shuts down channels on user tokens issued so far; the anon key and new tokens still work', async () => {
    h = await startHarness()
    const user = h.client()
    const oldToken = userToken()
    await user.realtime.setAuth(oldToken)
    const system: { message: string }[] = []
    const userStatuses = subscribe(
      user.channel('room').on('system', {}, (payload: { message: string }) => system.push(payload)),
    )
    const anon = h.client()
    const anonStatuses = subscribe(anon.channel('room'))
    await reached(userStatuses)
    await reached(anonStatuses)
    h.server.faults.expireTokens()
    await reached(userStatuses, 'CLOSED')
    expect(system).toEqual([
      { extension: 'system', status: 'error', message: 'Token has expired 0 seconds ago', channel: 'room' },
    ])
    expect(anonStatuses.map((s) => s.status)).toEqual(['SUBSCRIBED'])

    const again = h.client()
    await again.realtime.setAuth(oldToken)
    const refused = await reached(subscribe(again.channel('room')), 'CHANNEL_ERROR')
    expect(refused.error?.message).toBe('InvalidJWTToken: Token has expired 0 seconds ago')
    const fresh = h.client()
    await fresh.realtime.setAuth(userToken({ sub: 'user-9' }))
    await reached(subscribe(fresh.channel('room')))
    h.server.faults.reset()
    const restored = h.client()
    await restored.realtime.setAuth(oldToken)
    await reached(subscribe(restored.channel('room')))
  })

  it('postgresChanges delays changes (in order), drops them, and returns to normal with null', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0 }) // the fake clock jumps past the websocket timeout
    const raw = await h.raw()
    await raw.reply(
      raw.push('realtime:todos', 'phx_join', {
        config: { postgres_changes: [{ event: '*', schema: 'public', table: 'todos' }] },
      }),
    )
    h.server.faults.postgresChanges(500)
    h.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id: 1 } })
    h.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id: 2 } })
    await raw.answered()
    expect(frames(raw, 'postgres_changes')).toEqual([])
    await clock.advance(500)
    await waitFor(() => frames(raw, 'postgres_changes').length === 2)
    h.server.faults.postgresChanges('drop')
    h.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id: 3 } })
    h.server.faults.postgresChanges(null)
    h.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id: 4 } })
    await waitFor(() => frames(raw, 'postgres_changes').length === 3)
    const ids = frames(raw, 'postgres_changes').map(
      (m) => (m as { payload: { data: { record: { id: number } } } }).payload.data.record.id,
    )
    expect(ids).toEqual([1, 2, 4])
  })

  it('sendMalformedFrame sends text that is not JSON, an unknown binary kind, or a JSON non-message', async () => {
    h = await startHarness()
    const raw = await h.raw()
    h.server.faults.sendMalformedFrame()
    h.server.faults.sendMalformedFrame('binary')
    h.server.faults.sendMalformedFrame('shape')
    await waitFor(() => raw.unparsed.length === 1 && raw.received.length === 2)
    expect(raw.received[0]).toEqual(Buffer.from([9, 0, 0, 0]))
    expect((await raw.reply(raw.push('phoenix', 'heartbeat'))).status).toBe('ok')
  })

  it('restartServer closes every socket and listens again on the same port; supabase-js comes back', async () => {
    h = await startHarness()
    const port = h.server.port
    const raw = await h.raw()
    const client = h.client({ realtime: FAST_RECONNECT })
    const statuses = subscribe(client.channel('room'))
    await reached(statuses)
    await h.server.faults.restartServer()
    expect((await raw.closed).code).toBe(1012)
    expect(h.server.port).toBe(port)
    await waitFor(() => statuses.filter((s) => s.status === 'SUBSCRIBED').length === 2, { timeoutMs: 3_000 })
    expect(h.server.joinedTopics()).toEqual(['realtime:room'])
  })
})
