import { afterEach, describe, expect, it } from 'vitest'
import { startRealtimeServer } from '../../src/testing/emulator/realtimeServer'
import { createRateCounter, RATE_TICK_MS } from '../../src/testing/emulator/realtime/rateCounter'
import { FakeClock } from '../support/fakeClock'
import { waitFor } from '../support/waitFor'
import { KEYS, reached, SECRET, startHarness, subscribe, type Harness } from './emulatorSupport'

describe('the rate counter averages per second as the real server does (5 s ticks, up to 12 of them)', () => {
  it('triggers at the tick whose average reaches the limit, and lets go once the average falls below it', () => {
    const counter = createRateCounter(1)
    for (let i = 0; i < 4; i++) counter.add(0)
    expect(counter.triggered(RATE_TICK_MS)).toBe(false) // 4 in 5 s: 0.8/s
    counter.add(RATE_TICK_MS)
    for (let i = 0; i < 9; i++) counter.add(RATE_TICK_MS)
    expect(counter.triggered(2 * RATE_TICK_MS)).toBe(true) // (4 + 10) over two ticks: 1.4/s
    expect(counter.triggered(3 * RATE_TICK_MS)).toBe(false) // 14 over three ticks: 0.93/s
  })

  it('forgets a burst after a minute of quiet, however long the quiet lasts', () => {
    const counter = createRateCounter(1)
    for (let i = 0; i < 10; i++) counter.add(0)
    expect(counter.triggered(RATE_TICK_MS)).toBe(true)
    expect(counter.average(3_600_000)).toBe(0)
  })
})

describe('plan limits: the emulator refuses what the real server refuses, with its texts', () => {
  let h: Harness | undefined

  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('refuses a join past the channels per connection with ChannelRateLimitReached, and the socket stays open', async () => {
    h = await startHarness({ limits: { channelsPerConnection: 2 } })
    const raw = await h.raw()
    expect((await raw.reply(raw.push('realtime:a', 'phx_join', {}))).status).toBe('ok')
    expect((await raw.reply(raw.push('realtime:b', 'phx_join', {}))).status).toBe('ok')
    const third = await raw.reply(raw.push('realtime:c', 'phx_join', {}))
    expect(third).toEqual({ status: 'error', response: { reason: 'ChannelRateLimitReached: Too many channels' } })
    await raw.answered()
    // Another socket has its own channels; a leave frees a slot on this one.
    const other = await h.raw()
    expect((await other.reply(other.push('realtime:c', 'phx_join', {}))).status).toBe('ok')
    await raw.reply(raw.push('realtime:a', 'phx_leave', {}))
    expect((await raw.reply(raw.push('realtime:c', 'phx_join', {}))).status).toBe('ok')
  })

  it('gives real supabase-js CHANNEL_ERROR with the reason when a client opens one channel too many', async () => {
    h = await startHarness({ limits: { plan: 'free', channelsPerConnection: 1 } })
    const client = h.client()
    await reached(subscribe(client.channel('one')))
    const refused = await reached(subscribe(client.channel('two')), 'CHANNEL_ERROR')
    expect(refused.error?.message).toBe('ChannelRateLimitReached: Too many channels')
  })

  it('refuses joins with ClientJoinRateLimitReached and disconnects the socket while the project is over its joins per second', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0, limits: { joinsPerSecond: 1 } })
    const raw = await h.raw()
    for (const topic of ['a', 'b', 'c', 'd', 'e'])
      expect((await raw.reply(raw.push(`realtime:${topic}`, 'phx_join', {}))).status).toBe('ok')
    await clock.advance(RATE_TICK_MS) // 5 joins in 5 s: 1/s, the limit
    const other = await h.raw() // the limit is the project's: every socket meets it
    const refused = await other.reply(other.push('realtime:f', 'phx_join', {}))
    expect(refused).toEqual({
      status: 'error',
      response: { reason: 'ClientJoinRateLimitReached: Too many joins per second' },
    })
    expect(await other.closed).toEqual({ code: 1000, reason: 'disconnect' })
    await clock.advance(RATE_TICK_MS) // 5 joins over 10 s: 0.5/s
    const later = await h.raw()
    expect((await later.reply(later.push('realtime:f', 'phx_join', {}))).status).toBe('ok')
  })

  it('shuts a receiving channel down with "Too many messages per second" while the project is over its messages per second', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0, limits: { messagesPerSecond: 1 } })
    const sender = await h.raw()
    const receiver = await h.raw()
    await sender.reply(sender.push('realtime:room', 'phx_join', {}))
    await receiver.reply(receiver.push('realtime:room', 'phx_join', {}))
    for (let n = 0; n < 3; n++)
      sender.push('realtime:room', 'broadcast', { type: 'broadcast', event: 'm', payload: { n } })
    await receiver.answered()
    await clock.advance(RATE_TICK_MS) // 3 sent + 3 delivered in 5 s: 1.2/s
    sender.push('realtime:room', 'broadcast', { type: 'broadcast', event: 'm', payload: { n: 3 } })
    const system = await receiver.next((m) => m.event === 'system')
    expect(system.payload).toEqual({
      extension: 'system',
      status: 'error',
      message: 'Too many messages per second',
      channel: 'room',
    })
    await receiver.next((m) => m.event === 'phx_close')
    const delivered = receiver.received.filter((m) => !Buffer.isBuffer(m) && m.event === 'broadcast')
    expect(delivered).toHaveLength(4) // the message that found the limit still arrived, then the channel closed
    expect(h.server.joinedTopics()).toEqual(['realtime:room']) // the sender has no receiver on its own socket
  })

  it('drops postgres_changes while the project is over its messages per second, as the replication poller does', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0, limits: { messagesPerSecond: 1 } })
    const raw = await h.raw()
    await raw.reply(
      raw.push('realtime:todos', 'phx_join', {
        config: { postgres_changes: [{ event: '*', schema: 'public', table: 'todos' }] },
      }),
    )
    const columns = [{ name: 'id', type: 'int8' }]
    const insert = (id: number) => h!.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id } })
    for (let id = 1; id <= 5; id++) insert(id)
    await clock.advance(RATE_TICK_MS) // 5 changes delivered in 5 s: 1/s, the limit
    insert(6)
    await clock.advance(RATE_TICK_MS) // 5 over 10 s: below it again
    insert(7)
    await raw.answered()
    const ids = raw.received
      .filter((m) => !Buffer.isBuffer(m) && m.event === 'postgres_changes')
      .map((m) => (m as { payload: { data: { record: { id: number } } } }).payload.data.record.id)
    expect(ids).toEqual([1, 2, 3, 4, 5, 7])
  })

  it('answers REST broadcasts 429 with the real texts while the project is over its messages per second', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0, limits: { messagesPerSecond: 2 } })
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${h!.server.url}/realtime/v1/api/broadcast${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', apikey: KEYS.serviceRoleKey },
        body: JSON.stringify(body),
      })
      return [response.status, response.status === 202 ? null : await response.json()]
    }
    const batch = (count: number) => ({
      messages: Array.from({ length: count }, () => ({ topic: 'room', event: 'e', payload: {} })),
    })
    // A batch over the limit is refused outright; 10 messages in the first 5 s make 2/s from the tick on.
    expect((await post('', batch(3)))[0]).toBe(429)
    for (let n = 0; n < 5; n++) expect(await post('', batch(2))).toEqual([202, null])
    await clock.advance(RATE_TICK_MS)
    expect(await post('/room/events/e', {})).toEqual([429, { message: 'You have exceeded your rate limit' }])
    expect(await post('', batch(1))).toEqual([
      429,
      { message: 'Too many messages to broadcast, please reduce the batch size' },
    ])
    await clock.advance(RATE_TICK_MS) // 10 over 10 s: 1/s
    expect(await post('', batch(2))).toEqual([
      429,
      { message: 'Too many messages to broadcast, please reduce the batch size' },
    ])
    expect(await post('/room/events/e', {})).toEqual([202, null])
  })

  it('defaults to the Pro plan: 100 channels on one socket join, the 101st is refused', async () => {
    h = await startHarness()
    const raw = await h.raw()
    for (let n = 0; n < 100; n++) raw.push(`realtime:t${n}`, 'phx_join', {})
    const last = await raw.reply(raw.push('realtime:t100', 'phx_join', {}))
    expect(last.response).toEqual({ reason: 'ChannelRateLimitReached: Too many channels' })
    await waitFor(() => h!.server.joinedTopics().length === 100)
  })

  it.each([
    ['a plan name it does not know', 'enterprise', /limits must be 'free', 'pro' or 'team', got "enterprise"/],
    [
      'a limit that is not a positive integer',
      { joinsPerSecond: 0 },
      /limits\.joinsPerSecond must be a positive integer/,
    ],
    ['a misspelt limit', { channelsPerConection: 5 }, /limits\.channelsPerConection is not a limit/],
    ['something that is not a plan at all', 42, /limits must be a plan name or an object of limits, got 42/],
  ])('throws a TypeError naming the option for %s', async (_name, limits, message) => {
    await expect(
      startRealtimeServer({ jwtSecret: SECRET, apiKeys: [KEYS.anonKey], limits: limits as never }),
    ).rejects.toThrow(new RegExp(message.source))
    await expect(
      startRealtimeServer({ jwtSecret: SECRET, apiKeys: [KEYS.anonKey], limits: limits as never }),
    ).rejects.toBeInstanceOf(TypeError)
  })
})
