import { afterEach, describe, expect, it } from 'vitest'
import type { RealtimeOptions } from '../../src/core/options'
import { RealtimeError } from '../../src/errors/realtimeError'
import { createRouterHarness, type RouterHarness } from '../support/routerHarness'

let h: RouterHarness | null = null
afterEach(() => {
  h?.stop()
  h = null
})

/**
 * Project p1's list is kept fresh by the subscription; p2's list is mounted but belongs to no
 * subscription, so polling must never touch it. The lists are mounted after the first join (the
 * first-join catch-up refetches only data fetched before it).
 */
async function connected(options: Partial<RealtimeOptions> = {}, seed = 1) {
  h = createRouterHarness(options, { seed })
  h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
  await h.clock.advance(100)
  expect(h.state().connection).toBe('connected')
  h.mount('projectGenerations', 'p1')
  h.mount('projectGenerations', 'p2')
  await h.clock.advance(0)
  return h
}

/** Drops the socket and refuses every reconnection: realtime stays down. */
async function goDown(harness: RouterHarness) {
  harness.transport.connectBehavior = 'refuse'
  harness.transport.dropSocket()
  await harness.clock.advance(0)
  expect(harness.state().connection).not.toBe('connected')
}

/** Refetches of p1 (the polled query) during `ms` of fake time. */
async function refetchesOver(harness: RouterHarness, ms: number) {
  const before = harness.fetches('projectGenerations', 'p1')
  await harness.clock.advance(ms)
  return harness.fetches('projectGenerations', 'p1') - before
}

describe('gap catch-up', () => {
  it('refetches the tags of the subscription once when its topic joins again after a drop', async () => {
    const harness = await connected()
    harness.transport.dropSocket()
    await harness.clock.advance(3_000)
    expect(harness.state().connection).toBe('connected')
    expect(harness.transport.joins('project:p1')).toBe(2)
    expect(harness.state().channels['project:p1']).toMatchObject({
      state: 'subscribed',
      resumed: false,
      gapMs: expect.any(Number),
    })
    expect(harness.state().channels['project:p1']!.gapMs!).toBeGreaterThan(0)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(2)
    expect(harness.fetches('projectGenerations', 'p2')).toBe(1)
  })

  it('does not refetch, on the first join of a topic, a query that started after the join', async () => {
    const harness = await connected()
    expect(harness.state().channels['project:p1']?.resumed).toBe(true)
    await harness.clock.advance(10_000)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(1)
  })

  it('refetches once, on the first join of a topic, the queries its tags cover that were fetched before the join', async () => {
    h = createRouterHarness({}, { seed: 1 })
    h.mount('projectGenerations', 'p1')
    h.mount('projectGenerations', 'p2')
    await h.clock.advance(0)
    h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await h.clock.advance(100)
    expect(h.state().channels['project:p1']).toMatchObject({ state: 'subscribed', resumed: true })
    expect(h.fetches('projectGenerations', 'p1')).toBe(2)
    expect(h.fetches('projectGenerations', 'p2')).toBe(1)
    await h.clock.advance(10_000)
    expect(h.fetches('projectGenerations', 'p1')).toBe(2)
  })

  it('refetches, on the first join, a first fetch that was in flight at the join once it settles', async () => {
    h = createRouterHarness({}, { seed: 1 })
    h.backend.hold()
    h.mount('projectGenerations', 'p1')
    h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await h.clock.advance(100)
    expect(h.state().channels['project:p1']?.state).toBe('subscribed')
    expect(h.started('projectGenerations', 'p1')).toBe(1)
    h.backend.release()
    await h.clock.advance(0)
    expect(h.fetches('projectGenerations', 'p1')).toBe(2)
    await h.clock.advance(10_000)
    expect(h.fetches('projectGenerations', 'p1')).toBe(2)
  })

  it('refetches, on the first join, through an unrelated request that hangs', async () => {
    h = createRouterHarness({}, { seed: 1 })
    h.mount('projectGenerations', 'p1')
    await h.clock.advance(0)
    h.backend.holdEndpoint('shots')
    h.mount('shots', 'p9')
    h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await h.clock.advance(100)
    // Refetched although another request of the api hangs (a tag invalidation would wait for it).
    expect(h.started('shots', 'p9')).toBe(1)
    expect(h.fetches('shots', 'p9')).toBe(0)
    expect(h.fetches('projectGenerations', 'p1')).toBe(2)
    h.backend.releaseEndpoint('shots')
  })
})

describe('polling fallback', () => {
  it('reports the safety-net cadence while healthy, and none when it is off', async () => {
    expect((await connected()).pollingInterval()).toBe(60_000)
    h!.stop()
    expect((await connected({ polling: { healthyMs: 0 } })).pollingInterval()).toBeNull()
  })

  it('polls the subscription tags every 5 s ± 1 s while disconnected and visible, and never stops', async () => {
    const harness = await connected()
    await goDown(harness)
    expect(harness.pollingInterval()).toBeGreaterThanOrEqual(4_000)
    expect(harness.pollingInterval()).toBeLessThanOrEqual(6_000)
    for (let minute = 0; minute < 3; minute++) {
      const count = await refetchesOver(harness, 60_000)
      expect(count).toBeGreaterThanOrEqual(10)
      expect(count).toBeLessThanOrEqual(15)
    }
    expect(harness.state().connection).toBe('suspended')
    expect(harness.fetches('projectGenerations', 'p2')).toBe(1)
  })

  it('polls every 15 s ± 1 s while disconnected and hidden', async () => {
    const harness = await connected()
    await goDown(harness)
    harness.store.dispatch(harness.realtime.actions.setVisibility(false))
    expect(harness.pollingInterval()).toBeGreaterThanOrEqual(14_000)
    expect(harness.pollingInterval()).toBeLessThanOrEqual(16_000)
    await harness.clock.advance(16_000)
    const count = await refetchesOver(harness, 60_000)
    expect(count).toBeGreaterThanOrEqual(3)
    expect(count).toBeLessThanOrEqual(5)
  })

  it('polls at forceMs (DEADMODE_FORCE_POLLING_MS) while down', async () => {
    const harness = await connected({ polling: { forceMs: 8_000 } })
    await goDown(harness)
    const count = await refetchesOver(harness, 63_000)
    expect(count).toBeGreaterThanOrEqual(7)
    expect(count).toBeLessThanOrEqual(9)
  })

  it('stops dead-mode polling once connected again; only the safety net remains', async () => {
    const harness = await connected()
    await goDown(harness)
    await harness.clock.advance(30_000)
    harness.transport.connectBehavior = 'open'
    await harness.clock.advance(15_000)
    expect(harness.state().connection).toBe('connected')
    expect(harness.pollingInterval()).toBe(60_000)
    // The catch-up after the rejoin is done; from here on, one poll a minute.
    await harness.clock.advance(1_000)
    const count = await refetchesOver(harness, 120_000)
    expect(count).toBeGreaterThanOrEqual(1)
    expect(count).toBeLessThanOrEqual(2)
  })

  it('switches to polling on the kill switch and keeps polling while disabled', async () => {
    const harness = await connected()
    harness.store.dispatch(harness.realtime.actions.disable())
    await harness.clock.advance(0)
    expect(harness.state().connection).toBe('disabled')
    expect(harness.transport.isConnected()).toBe(false)
    expect(harness.pollingInterval()).toBeLessThanOrEqual(6_000)
    const count = await refetchesOver(harness, 60_000)
    expect(count).toBeGreaterThanOrEqual(10)
    expect(count).toBeLessThanOrEqual(15)
  })

  it('polls while disabled from the start (REALTIME_ENABLED=false)', async () => {
    h = createRouterHarness({ enabled: false })
    h.mount('projectGenerations', 'p1')
    h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await h.clock.advance(100)
    expect(h.transport.connectAttempts).toBe(0)
    const count = await refetchesOver(h, 60_000)
    expect(count).toBeGreaterThanOrEqual(10)
    expect(count).toBeLessThanOrEqual(15)
  })

  it('refetches every active subscription once on recover()', async () => {
    const harness = await connected()
    harness.subscribe('project:p2', [{ type: 'UnifiedGenerations', id: 'project:p2' }])
    await harness.clock.advance(1_000)
    harness.store.dispatch(harness.realtime.actions.disable())
    await harness.clock.advance(1_000)
    const before = { p1: harness.fetches('projectGenerations', 'p1'), p2: harness.fetches('projectGenerations', 'p2') }
    harness.store.dispatch(harness.realtime.actions.recover())
    await harness.clock.advance(0)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(before.p1 + 1)
    expect(harness.fetches('projectGenerations', 'p2')).toBe(before.p2 + 1)
  })
})

describe('recover()', () => {
  it('refetches the subscription tags at once while connected; the rejoin it causes adds at most one trailing refetch', async () => {
    const harness = await connected()
    harness.store.dispatch(harness.realtime.actions.recover())
    await harness.clock.advance(0)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(2)
    await harness.clock.advance(3_000)
    expect(harness.transport.joins('project:p1')).toBe(2)
    expect(harness.fetches('projectGenerations', 'p1')).toBeLessThanOrEqual(3)
    expect(harness.fetches('projectGenerations', 'p2')).toBe(1)
  })
})

describe('focus and online kick', () => {
  it('refetches the subscription tags once when the page becomes visible, at most once per 5 s', async () => {
    const harness = await connected()
    const { setVisibility } = harness.realtime.actions
    const kick = async () => {
      harness.store.dispatch(setVisibility(false))
      await harness.clock.advance(500)
      harness.store.dispatch(setVisibility(true))
      await harness.clock.advance(500)
    }
    expect(await refetchesOverDuring(harness, kick)).toBe(1)
    expect(await refetchesOverDuring(harness, kick)).toBe(0)
    await harness.clock.advance(4_000)
    expect(await refetchesOverDuring(harness, kick)).toBe(1)
    expect(harness.fetches('projectGenerations', 'p2')).toBe(1)
  })

  it('refetches once when the network comes back', async () => {
    const harness = await connected()
    const { setOnline } = harness.realtime.actions
    harness.store.dispatch(setOnline(true))
    await harness.clock.advance(0)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(1)
    harness.store.dispatch(setOnline(false))
    harness.store.dispatch(setOnline(true))
    await harness.clock.advance(0)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(2)
  })
})

async function refetchesOverDuring(harness: RouterHarness, act: () => Promise<void>) {
  const before = harness.fetches('projectGenerations', 'p1')
  await act()
  return harness.fetches('projectGenerations', 'p1') - before
}

describe('alert', () => {
  it('is raised after 60 s down while visible with a cadence over 10 s, and cleared on reconnect', async () => {
    const harness = await connected({ polling: { forceMs: 20_000 } })
    await goDown(harness)
    expect(harness.pollingInterval()).toBe(15_000)
    await harness.clock.advance(59_000)
    expect(harness.alert()).toBe(false)
    await harness.clock.advance(2_000)
    expect(harness.alert()).toEqual({ type: 'REALTIME_DOWN' })
    harness.transport.connectBehavior = 'open'
    await harness.clock.advance(20_000)
    expect(harness.state().connection).toBe('connected')
    expect(harness.alert()).toBe(false)
  })

  it('is not raised while idle (nothing subscribed: the socket is closed on purpose)', async () => {
    h = createRouterHarness({ polling: { forceMs: 20_000 } })
    await h.clock.advance(120_000)
    expect(h.state().connection).toBe('idle')
    expect(h.alert()).toBe(false)
  })

  it('is not raised at the default visible cadence, nor while hidden', async () => {
    const harness = await connected()
    await goDown(harness)
    await harness.clock.advance(120_000)
    expect(harness.alert()).toBe(false)
    h!.stop()
    const hidden = await connected({ polling: { forceMs: 20_000 } })
    hidden.store.dispatch(hidden.realtime.actions.setVisibility(false))
    await goDown(hidden)
    await hidden.clock.advance(120_000)
    expect(hidden.alert()).toBe(false)
    hidden.store.dispatch(hidden.realtime.actions.setVisibility(true))
    await hidden.clock.advance(0)
    expect(hidden.alert()).toEqual({ type: 'REALTIME_DOWN' })
  })
})

describe('a topic whose channel keeps failing while the socket is up', () => {
  it('is polled on the dead-mode cadence, and only that topic: healthy topics keep relying on events', async () => {
    h = createRouterHarness({}, { seed: 3 })
    const harness = h
    harness.transport.joinReply = (topic) =>
      topic === 'project:p2' ? new RealtimeError('CHANNEL_ERROR', 'join refused for the test') : 'ok'
    harness.mount('projectGenerations', 'p1')
    harness.mount('projectGenerations', 'p2')
    harness.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    harness.subscribe('project:p2', [{ type: 'UnifiedGenerations', id: 'project:p2' }])
    await harness.clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:p2']?.state).toBe('error')

    const p1Before = harness.fetches('projectGenerations', 'p1')
    const p2Before = harness.fetches('projectGenerations', 'p2')
    await harness.clock.advance(60_000)
    const p2Polls = harness.fetches('projectGenerations', 'p2') - p2Before
    expect(p2Polls).toBeGreaterThanOrEqual(9)
    expect(p2Polls).toBeLessThanOrEqual(15)
    expect(harness.fetches('projectGenerations', 'p1') - p1Before).toBeLessThanOrEqual(1)
    expect(harness.state().metrics.pollIntervalMs).toBeLessThanOrEqual(6_000)
  })
})
