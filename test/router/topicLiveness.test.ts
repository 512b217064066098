import { afterEach, describe, expect, it } from 'vitest'
import { isTopicLive, someTopicNotLive, topicsNotLive } from '../../src/router/topicLiveness'
import { initialRealtimeState, newChannelRecord, type ChannelState } from '../../src/slice/state'
import { createRouterHarness, type RouterHarness } from '../support/routerHarness'

let h: RouterHarness | null = null
afterEach(() => {
  h?.stop()
  h = null
})

/** p1 joins at once; p2's joins hang (a slow link: the join is in progress for the whole join timeout). */
async function p2JoinsSlowly() {
  h = createRouterHarness({}, { seed: 5 })
  const harness = h
  harness.transport.joinReply = (topic) => (topic === 'project:p2' ? 'hang' : 'ok')
  harness.mount('projectGenerations', 'p1')
  harness.mount('projectGenerations', 'p2')
  harness.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
  harness.subscribe('project:p2', [{ type: 'UnifiedGenerations', id: 'project:p2' }])
  await harness.clock.advance(100)
  expect(harness.state().connection).toBe('connected')
  expect(harness.state().channels['project:p2']?.state).toBe('subscribing')
  return harness
}

function stateWith(connection: 'connected' | 'reconnecting', channels: Record<string, ChannelState>) {
  const state = initialRealtimeState(true)
  state.connection = connection
  for (const [topic, channelState] of Object.entries(channels))
    state.channels[topic] = { ...newChannelRecord(topic, false), state: channelState, subscriberCount: 1 }
  return state
}

describe('a slow link', () => {
  it('counts no topic live while probes are answered late, polls them, and trusts a prompt answer again', async () => {
    h = createRouterHarness({}, { seed: 5 })
    const harness = h
    harness.mount('projectGenerations', 'p1')
    harness.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await harness.clock.advance(100)
    expect(harness.state().channels['project:p1']?.state).toBe('subscribed')
    expect(harness.state().slowLink).toBe(false)

    // Replies queued behind seconds of frames: answered, but after 2.5 s.
    harness.transport.replyToHeartbeat = (reply) => harness.clock.setTimeout(reply, 2_500)
    const before = harness.fetches('projectGenerations', 'p1')
    await harness.clock.advance(20_000)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().slowLink).toBe(true)
    expect(someTopicNotLive(harness.state())).toBe(true)
    // Polled on the dead-mode cadence (5 s ± 1 s), not the 60 s safety net.
    expect(harness.fetches('projectGenerations', 'p1') - before).toBeGreaterThanOrEqual(2)

    harness.transport.replyToHeartbeat = (reply) => queueMicrotask(reply)
    await harness.clock.advance(6_000)
    expect(harness.state().slowLink).toBe(false)
    expect(someTopicNotLive(harness.state())).toBe(false)
  })
})

describe('the per-topic liveness rule', () => {
  it('calls a topic live only while its channel is subscribed on a connected connection', () => {
    const subscribed = { ...newChannelRecord('t', false), state: 'subscribed' as const }
    expect(isTopicLive('connected', subscribed)).toBe(true)
    expect(isTopicLive('reconnecting', subscribed)).toBe(false)
    expect(isTopicLive('connected', undefined)).toBe(false)
    for (const state of ['idle', 'subscribing', 'error', 'closed'] as const)
      expect(isTopicLive('connected', { ...subscribed, state })).toBe(false)
  })

  it('lists the topics that are not live, every one of them while the connection is down', () => {
    const channels = { a: 'subscribed', b: 'subscribing' } as const
    expect([...topicsNotLive(stateWith('connected', channels), ['a', 'b', 'c'])]).toEqual(['b', 'c'])
    expect([...topicsNotLive(stateWith('reconnecting', channels), ['a', 'b'])]).toEqual(['a', 'b'])
  })

  it('ignores topics without subscribers when it decides whether some topic is polled', () => {
    const state = stateWith('connected', { a: 'subscribed', b: 'error' })
    expect(someTopicNotLive(state)).toBe(true)
    state.channels = { ...state.channels, b: { ...state.channels.b!, subscriberCount: 0 } }
    expect(someTopicNotLive(state)).toBe(false)
  })
})

describe('a topic whose join is slow while the socket is connected', () => {
  it('is polled on the dead-mode cadence while it joins (it does not have to fail first), and only that topic', async () => {
    const harness = await p2JoinsSlowly()
    const p1Before = harness.fetches('projectGenerations', 'p1')
    const p2Before = harness.fetches('projectGenerations', 'p2')
    // Still within the 10 s join timeout: the join is in progress, not failed.
    await harness.clock.advance(9_000)
    expect(harness.state().channels['project:p2']?.state).toBe('subscribing')
    expect(harness.fetches('projectGenerations', 'p2') - p2Before).toBeGreaterThanOrEqual(1)
    await harness.clock.advance(51_000)
    const p2Polls = harness.fetches('projectGenerations', 'p2') - p2Before
    expect(p2Polls).toBeGreaterThanOrEqual(9)
    expect(p2Polls).toBeLessThanOrEqual(15)
    expect(harness.fetches('projectGenerations', 'p1') - p1Before).toBeLessThanOrEqual(1)
    expect(harness.pollingInterval()).toBeLessThanOrEqual(6_000)
  })

  it('is first polled one cadence after it stopped being live, not at once', async () => {
    const harness = await p2JoinsSlowly()
    const before = harness.fetches('projectGenerations', 'p2')
    await harness.clock.advance(3_900)
    expect(harness.fetches('projectGenerations', 'p2')).toBe(before)
    await harness.clock.advance(2_200)
    expect(harness.fetches('projectGenerations', 'p2')).toBe(before + 1)
  })

  it('keeps the safety net of the live topics while another topic is polled', async () => {
    const harness = await p2JoinsSlowly()
    const before = harness.fetches('projectGenerations', 'p1')
    await harness.clock.advance(135_000)
    expect(harness.fetches('projectGenerations', 'p1') - before).toBeGreaterThanOrEqual(2)
    expect(harness.fetches('projectGenerations', 'p1') - before).toBeLessThanOrEqual(3)
  })
})

describe('a join that completes in time', () => {
  it('costs no poll: a new subscription on a healthy connection is not polled while it joins', async () => {
    h = createRouterHarness({}, { seed: 2 })
    const harness = h
    harness.mount('projectGenerations', 'p1')
    harness.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await harness.clock.advance(30_000)
    harness.mount('projectGenerations', 'p2')
    await harness.clock.advance(100)
    const before = harness.fetches('projectGenerations', 'p2')
    harness.subscribe('project:p2', [{ type: 'UnifiedGenerations', id: 'project:p2' }])
    await harness.clock.advance(10)
    expect(harness.state().channels['project:p2']?.state).not.toBe('subscribed')
    await harness.clock.advance(10_000)
    expect(harness.state().channels['project:p2']?.state).toBe('subscribed')
    // Only the first-join catch-up (its data was fetched before the join): no poll.
    expect(harness.fetches('projectGenerations', 'p2') - before).toBeLessThanOrEqual(1)
  })
})
