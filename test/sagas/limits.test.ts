import { afterEach, describe, expect, it } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import type { RealtimeError } from '../../src/errors/realtimeError'
import { classifyChannelFailure } from '../../src/transport/classifyError'
import { FakeTransport } from '../support/fakeTransport'
import { createHarness, expectNoDuplicateChannels, finishHarness, tableSpec, type Harness } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

const refusal = (reason: string, topic: string): RealtimeError =>
  classifyChannelFailure('CHANNEL_ERROR', { reason }, topic, { socketOpen: true })

const warnings = (h: Harness, pattern: RegExp) => h.logs.filter((log) => log.level === 'warn' && pattern.test(log.line))

describe('the capacity guard: never more channels than the plan allows on one connection', () => {
  it('keeps topics beyond channelsPerConnection waiting (reported, counted, once-logged), and gives a freed slot to the first', async () => {
    harness = createHarness({ limits: { channelsPerConnection: 2 } })
    const { realtime, clock, transport } = harness
    const a = realtime.subscribe(tableSpec('a'))
    realtime.subscribe(tableSpec('b'))
    realtime.subscribe(tableSpec('c'))
    realtime.subscribe(tableSpec('d'))
    await clock.advance(1_000)
    const channels = () => harness!.state().channels
    expect(transport.channelTopics().sort()).toEqual(['a', 'b'])
    expect(channels().c).toMatchObject({ state: 'error', nextRetryAt: null })
    expect(channels().c!.lastError?.message).toMatch(/waits for a channel: this client already has 2 open/)
    expect(harness.state().metrics.channelsOverCapacity).toBe(2)
    expect(warnings(harness, /more topics than the plan's 2 channels per connection/)).toHaveLength(1)

    a.unsubscribe()
    await clock.advance(2_000) // past the teardown grace: the slot goes to c, the first waiting
    expect(transport.channelTopics().sort()).toEqual(['b', 'c'])
    expect(channels().c!.state).toBe('subscribed')
    expect(channels().d!.state).toBe('error')
    expect(transport.joins('d')).toBe(0)
    expectNoDuplicateChannels(transport)
  })

  it('counts a waiting topic once in channelsOverCapacity, however often it rebinds while it waits', async () => {
    harness = createHarness({ limits: { channelsPerConnection: 1 } })
    const { realtime, clock } = harness
    realtime.subscribe(tableSpec('a'))
    realtime.subscribe(tableSpec('b'))
    await clock.advance(500)
    realtime.subscribe(tableSpec('b', 'other_table')) // each new binding restarts b's channel saga
    await clock.advance(500)
    realtime.subscribe(tableSpec('b', 'third_table'))
    await clock.advance(500)
    expect(harness.state().channels.b!.state).toBe('error')
    expect(harness.state().metrics.channelsOverCapacity).toBe(1)
  })

  it('starts no channel on stop() for the topics waiting for one: the freed slot goes to nobody', async () => {
    harness = createHarness({ limits: { channelsPerConnection: 1 } })
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('a'))
    realtime.subscribe(tableSpec('b'))
    realtime.subscribe(tableSpec('c'))
    await clock.advance(1_000)
    expect(transport.channelTopics()).toEqual(['a'])
    const seen = harness.actions.length
    harness.stop()
    await clock.advance(1_000)
    const topicOf = (action: unknown) => (action as { payload?: { topic?: unknown } }).payload?.topic
    // A waiting topic granted a slot during shutdown would start its channel saga (and close it again).
    expect(harness.actions.slice(seen).filter((action) => ['b', 'c'].includes(topicOf(action) as string))).toEqual([])
    expect(transport.joins('b') + transport.joins('c')).toBe(0)
  })

  it('lets a topic that rebinds keep its slot', async () => {
    harness = createHarness({ limits: { channelsPerConnection: 1 } })
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('a'))
    realtime.subscribe(tableSpec('b'))
    await clock.advance(500)
    realtime.subscribe(tableSpec('a', 'other_table')) // a new binding recreates a's channel
    await clock.advance(500)
    expect(transport.channelTopics()).toEqual(['a'])
    expect(transport.joins('a')).toBe(2)
    expect(harness.state().channels.a!.state).toBe('subscribed')
    expect(transport.joins('b')).toBe(0)
  })

  it("paces joins to the client's share of the plan's joins per second (Free: 2 at once, then one every 500 ms)", async () => {
    harness = createHarness({ limits: 'free' })
    const { realtime, clock } = harness
    for (const topic of ['a', 'b', 'c', 'd', 'e']) realtime.subscribe(tableSpec(topic))
    const start = clock.now()
    await clock.advance(3_000)
    const joinedAt = harness.payloadsOf(realtime.events.channelJoinStarted).map((join) => join.at - start)
    expect(joinedAt).toEqual([50, 50, 550, 1_050, 1_550]) // after the 50 ms rebind debounce
    expect(Object.values(harness.state().channels).map((channel) => channel.state)).toEqual(Array(5).fill('subscribed'))
  })

  it('gives a join turn back when its topic is dropped before the turn came, so the next topic need not wait for it', async () => {
    harness = createHarness({ limits: 'free' })
    const { realtime, clock } = harness
    const handles = Array.from({ length: 10 }, (_, index) => realtime.subscribe(tableSpec(`t${index}`)))
    for (const handle of handles.slice(2)) handle.unsubscribe() // their turns reach 4 s ahead
    await clock.advance(1_100) // past the teardown grace: the channels waiting for a turn are cancelled
    const start = clock.now()
    realtime.subscribe(tableSpec('late'))
    await clock.advance(5_000)
    const late = harness.payloadsOf(realtime.events.channelJoinStarted).find((join) => join.topic === 'late')!
    expect(late.at - start).toBeLessThanOrEqual(550) // a freed turn, not the end of the dropped topics' queue
    expect(harness.state().channels.late!.state).toBe('subscribed')
  })

  it('keeps pacing the joins after a reconnect: no topic takes its turn while the socket is down', async () => {
    harness = createHarness({ limits: 'free' })
    const { realtime, clock, transport } = harness
    const topics = Array.from({ length: 30 }, (_, index) => `t${index}`)
    for (const topic of topics) realtime.subscribe(tableSpec(topic))
    await clock.advance(20_000)
    expect(transport.channelTopics()).toHaveLength(30)

    transport.connectBehavior = 'refuse'
    transport.dropSocket()
    await clock.advance(30_000) // offline long enough for every topic's turn to have come and gone
    transport.connectBehavior = 'open'
    const reopenedAt = clock.now()
    await clock.advance(30_000)
    expect(harness.state().connection).toBe('connected')
    const joinedAt = harness
      .payloadsOf(realtime.events.channelJoinStarted)
      .map((join) => join.at)
      .filter((at) => at >= reopenedAt)
    expect(joinedAt).toHaveLength(30)
    // Free: 2 joins per second, bursts of 2: any three joins in a row span at least one refill.
    const spans = joinedAt.slice(2).map((at, index) => at - joinedAt[index]!)
    expect(Math.min(...spans)).toBeGreaterThanOrEqual(500)
    expect(Object.values(harness.state().channels).every((channel) => channel.state === 'subscribed')).toBe(true)
  })
})

describe("the server's refusals take their own recovery, never a retry loop", () => {
  it('backs off long after ClientJoinRateLimitReached and holds every join of the client meanwhile', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    transport.joinReply = (topic, joinNumber) =>
      topic === 'a' && joinNumber === 1 ? refusal('ClientJoinRateLimitReached: Too many joins per second', topic) : 'ok'
    realtime.subscribe(tableSpec('a'))
    await clock.advance(100)
    const [errored] = harness.payloadsOf(realtime.events.channelErrored)
    expect(errored).toMatchObject({ topic: 'a', serverRefusal: 'join-rate-limit' })
    expect(errored!.retryInMs).toBeGreaterThanOrEqual(15_000)
    expect(harness.state().metrics.serverRefusals).toEqual({ 'join-rate-limit': 1 })
    expect(warnings(harness, /ClientJoinRateLimitReached/)).toHaveLength(1)

    const authorizedAt: number[] = []
    const authorize = transport.authorize.bind(transport)
    transport.authorize = (options) => {
      authorizedAt.push(clock.now())
      return authorize(options)
    }
    realtime.subscribe(tableSpec('b')) // a topic that comes along meanwhile waits for the hold too
    await clock.advance(errored!.retryInMs! - 200)
    expect(transport.joins('a')).toBe(1)
    expect(transport.joins('b')).toBe(0)
    expect(harness.state().channels.b).toMatchObject({ state: 'error' })
    expect(harness.state().channels.b!.lastError?.message).toMatch(/joins per second/)
    await clock.advance(1_000)
    expect(harness.state().channels.a!.state).toBe('subscribed')
    expect(harness.state().channels.b!.state).toBe('subscribed')
    // The token is fetched after the wait, right before the join: never one that waited out the hold.
    const holdEnd = errored!.at + errored!.retryInMs!
    expect(authorizedAt.filter((at) => at < holdEnd)).toEqual([])
    expect(authorizedAt.filter((at) => at >= holdEnd)).toHaveLength(2) // a's rejoin and b's join
  })

  it('reports the join hold once to each topic it keeps waiting, however often the topic rebinds', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    transport.joinReply = (topic, joinNumber) =>
      topic === 'a' && joinNumber === 1 ? refusal('ClientJoinRateLimitReached: Too many joins per second', topic) : 'ok'
    realtime.subscribe(tableSpec('a'))
    await clock.advance(100)
    realtime.subscribe(tableSpec('b'))
    await clock.advance(1_000)
    realtime.subscribe(tableSpec('b', 'other_table')) // each new binding restarts b's channel saga
    await clock.advance(1_000)
    realtime.subscribe(tableSpec('b', 'third_table'))
    await clock.advance(1_000)
    expect(harness.state().channels.b!.lastError?.message).toMatch(/joins per second/)
    const heldB = harness.payloadsOf(realtime.events.channelErrored).filter((e) => e.topic === 'b')
    expect(heldB).toHaveLength(1)
  })

  it('doubles the wait while ChannelRateLimitReached keeps coming, and cuts it short on recover()', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    let refusing = true
    transport.joinReply = (topic) => (refusing ? refusal('ChannelRateLimitReached: Too many channels', topic) : 'ok')
    realtime.subscribe(tableSpec('a'))
    await clock.advance(10 * 60_000)
    const waits = harness.payloadsOf(realtime.events.channelErrored).map((e) => e.retryInMs!)
    expect(waits.length).toBeLessThanOrEqual(6) // ten minutes: a handful of attempts, not a loop
    expect(waits[1]! / 60_000).toBeGreaterThanOrEqual(0.5) // the second wait is 60 s × [0.5, 1.5)
    expect(harness.state().metrics.serverRefusals['channel-rate-limit']).toBe(waits.length)
    expect(warnings(harness, /ChannelRateLimitReached/)).toHaveLength(1)
    refusing = false
    store.dispatch(realtime.actions.recover())
    await clock.advance(100)
    expect(harness.state().channels.a!.state).toBe('subscribed')
  })

  it('closes a channel for "Too many messages per second" and rejoins only after a long wait', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('a'))
    await clock.advance(100)
    transport.emit('a', {
      type: 'status',
      status: 'CHANNEL_ERROR',
      error: refusal('Too many messages per second', 'a'),
    })
    await clock.advance(10)
    const [errored] = harness.payloadsOf(realtime.events.channelErrored)
    expect(errored).toMatchObject({ serverRefusal: 'message-rate-limit' })
    await clock.advance(errored!.retryInMs! - 100)
    expect(transport.joins('a')).toBe(1)
    await clock.advance(200)
    expect(transport.joins('a')).toBe(2)
    expect(harness.state().channels.a!.state).toBe('subscribed')
  })

  it('doubles the wait while "Too many messages per second" follows each rejoin, and starts over once the channel stays up', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const closeForMessages = async () => {
      transport.emit('a', {
        type: 'status',
        status: 'CHANNEL_ERROR',
        error: refusal('Too many messages per second', 'a'),
      })
      await clock.advance(10)
      return harness!.payloadsOf(realtime.events.channelErrored).at(-1)!.retryInMs!
    }
    realtime.subscribe(tableSpec('a'))
    await clock.advance(100)
    const waits: number[] = []
    for (let refusals = 0; refusals < 4; refusals++) {
      waits.push(await closeForMessages())
      await clock.advance(waits.at(-1)! + 100) // rejoined: the server closes it again at once
      expect(harness.state().channels.a!.state).toBe('subscribed')
    }
    // The fourth wait in a row is 240 s × [0.5, 1.5), though each rejoin succeeded.
    expect(waits[3]).toBeGreaterThanOrEqual(120_000)

    await clock.advance(waits[3]! + 1_000) // up for longer than the last wait: the streak is over
    expect(await closeForMessages()).toBeLessThan(45_000)
  })

  it('retries a refused subscription rarely, never in a loop; recover() or a changed subscription asks at once', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    let refusing = true
    transport.joinReply = (topic, joinNumber) =>
      joinNumber === 1 || refusing ? refusal('Unable to subscribe to changes with given parameters', topic) : 'ok'
    realtime.subscribe(tableSpec('a'))
    await clock.advance(100)
    realtime.subscribe(tableSpec('b'))
    await clock.advance(60 * 60_000)
    // An hour: 30 s doubling to 5 min, jittered, each wait at most 5 min: a handful, not a loop.
    const waits = harness.payloadsOf(realtime.events.channelErrored).filter((e) => e.topic === 'a')
    expect(waits.map((e) => e.retryInMs! <= 300_000 && e.retryInMs! >= 15_000)).not.toContain(false)
    expect(transport.joins('a')).toBeGreaterThanOrEqual(12)
    expect(transport.joins('a')).toBeLessThanOrEqual(24)
    expect(harness.state().channels.a).toMatchObject({ state: 'error' })
    expect(harness.state().channels.a!.nextRetryAt).not.toBeNull()
    refusing = false
    // The refusal reaches the store, where users read it (selectChannel, selectLastError, the hook).
    const refused = { type: 'SUBSCRIPTION_FAILED', retryable: false, serverError: 'subscription-refused' }
    expect(realtime.selectors.selectChannel('a')(store.getState())!.lastError).toMatchObject(refused)
    expect(realtime.selectors.selectLastError(store.getState())).toMatchObject(refused)
    const refusals = harness.state().metrics.serverRefusals['subscription-refused']
    expect(refusals).toBe(transport.joins('a') + transport.joins('b'))
    expect(warnings(harness, /Unable to subscribe/)).toHaveLength(1) // once per kind, not per topic

    store.dispatch(realtime.actions.recover())
    await clock.advance(100)
    expect(harness.state().channels.a!.state).toBe('subscribed')
    realtime.subscribe(tableSpec('b', 'fixed_table'))
    await clock.advance(100)
    expect(harness.state().channels.b!.state).toBe('subscribed')
  })
})

describe('Unauthorized on a private topic keeps the auth path', () => {
  it('refreshes the token once, then waits the slow 30–60 s, counting each refusal in serverRefusals', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    transport.signedIn = true
    transport.joinReply = (topic) =>
      refusal('Unauthorized: You do not have permissions to read from this Channel topic: private:1', topic)
    realtime.subscribe(tableSpec('private:1', 'generations', { private: true }))
    await clock.advance(100)
    expect(transport.joins('private:1')).toBe(2) // once more with a refreshed token
    expect(harness.state().channels['private:1']).toMatchObject({
      state: 'error',
      lastError: { retryable: false, serverError: 'unauthorized' }, // also once the token was refreshed
    })
    expect(harness.state().metrics.serverRefusals).toEqual({ unauthorized: 2 })
    expect(harness.state().connection).toBe('connected')
  })
})

describe('the limits option', () => {
  it.each([
    ['gold', /createRealtime\(\): limits must be 'free', 'pro' or 'team', got "gold"/],
    [{ channelsPerConnection: -1 }, /createRealtime\(\): limits\.channelsPerConnection must be a positive integer/],
    [{ joinShare: 0 }, /createRealtime\(\): limits\.joinShare must be a number in \(0, 1\]/],
    [{ joinShare: 2 }, /limits\.joinShare/],
    [{ plan: 'team', joinsPerSec: 3 }, /limits\.joinsPerSec is not a limit/],
  ])('refuses %j at createRealtime with a TypeError naming it', (limits, message) => {
    const create = () => createRealtime({ transport: new FakeTransport(), limits: limits as never })
    expect(create).toThrow(TypeError)
    expect(create).toThrow(message)
  })
})
