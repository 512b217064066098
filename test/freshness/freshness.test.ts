import { afterEach, describe, expect, it } from 'vitest'
import type { PostgresChangesEvent } from '../../src/events/events'
import { REPLAY_WINDOW_MS } from '../../src/policy/replayPolicy'
import { CATCH_UP_BOUND_MS } from '../../src/router/freshnessHandler'
import { createRouterHarness, type RouterHarness } from '../support/routerHarness'

let h: RouterHarness | null = null
afterEach(() => {
  h?.stop()
  h = null
})

const P1 = [{ type: 'UnifiedGenerations', id: 'project:p1' }]

/** p1's list is mounted and kept fresh by project:p1's subscription, joined and settled. */
async function liveP1() {
  h = createRouterHarness({}, { seed: 3 })
  h.mount('projectGenerations', 'p1')
  h.subscribe('project:p1', P1)
  await h.clock.advance(2_000)
  expect(h.state().channels['project:p1']?.state).toBe('subscribed')
  return h
}

const freshnessOf = (harness: RouterHarness, endpoint: string, args: unknown) =>
  harness.realtime.selectors.selectFreshness(endpoint, args)(harness.store.getState())

/** A generations change of p1 as Broadcast from Database delivers it. */
function p1Change(id: number, messageId: string, replayed = false): Omit<PostgresChangesEvent, 'receivedAt'> {
  return {
    kind: 'postgres_changes',
    topic: 'project:p1',
    schema: 'public',
    table: 'generations',
    eventType: 'INSERT',
    commitTimestamp: null,
    new: { id, project_id: 'p1' },
    old: null,
    via: 'broadcast',
    messageId,
    ...(replayed ? { replayed: true } : {}),
  }
}

/** p1's list kept fresh by a private Broadcast from Database topic, rejoined after a gap with a replay under way (fetches held). */
async function replayedP1() {
  h = createRouterHarness({}, { seed: 3 })
  h.transport.signedIn = true
  h.mount('projectGenerations', 'p1')
  h.realtime.subscribe({
    topic: 'project:p1',
    private: true,
    changes: { via: 'broadcast', tables: ['generations'] },
    tags: P1,
  })
  await h.clock.advance(2_000)
  h.emit(p1Change(1, 'm-1'))
  await h.clock.advance(16)
  h.backend.hold()
  h.transport.dropSocket()
  for (let waited = 0; waited < 60_000 && h.state().channels['project:p1']?.joins !== 2; waited += 10)
    await h.clock.advance(10)
  expect(h.state().channels['project:p1']?.catchUp).toBe('replaying')
  expect(freshnessOf(h, 'projectGenerations', 'p1').mode).toBe('catching-up')
  return h
}

describe('per-query freshness', () => {
  it('is live while a subscribed topic covers the query, confirmed by its last fetch', async () => {
    const harness = await liveP1()
    const freshness = freshnessOf(harness, 'projectGenerations', 'p1')
    expect(freshness).toMatchObject({ mode: 'live', staleSince: null, pendingWrites: 0, pollIntervalMs: null })
    expect(freshness.lastConfirmedAt).not.toBeNull()
    expect(freshness.lastConfirmedAt!).toBeLessThanOrEqual(harness.clock.now())
  })

  it('calls a query no subscription covers unmanaged, stale since its fetch', async () => {
    const harness = await liveP1()
    harness.mount('projectGenerations', 'p2')
    await harness.clock.advance(10)
    const freshness = freshnessOf(harness, 'projectGenerations', 'p2')
    expect(freshness.mode).toBe('unmanaged')
    expect(freshness.staleSince).toBe(freshness.lastConfirmedAt)
    expect(freshnessOf(harness, 'projectGenerations', 'never-mounted').mode).toBe('unmanaged')
  })

  it('moves a confirmed query forward when an event is routed to its tags', async () => {
    const harness = await liveP1()
    harness.backend.hold()
    const before = freshnessOf(harness, 'projectGenerations', 'p1').lastConfirmedAt!
    await harness.clock.advance(1_000)
    harness.emit({
      kind: 'postgres_changes',
      topic: 'project:p1',
      table: 'generations',
      schema: 'public',
      eventType: 'INSERT',
      new: { id: 'g1', project_id: 'p1' },
      old: {},
      commitTimestamp: null,
    } as never)
    await harness.clock.advance(50)
    expect(freshnessOf(harness, 'projectGenerations', 'p1').lastConfirmedAt!).toBeGreaterThan(before)
    harness.backend.release()
  })

  it('polls while realtime is down, with the cadence, stale since the drop; then catches up and goes live', async () => {
    const harness = await liveP1()
    harness.transport.connectBehavior = 'refuse'
    const droppedAt = harness.clock.now()
    harness.transport.dropSocket()
    await harness.clock.advance(20_000)
    const down = freshnessOf(harness, 'projectGenerations', 'p1')
    expect(down.mode).toBe('polling')
    expect(down.staleSince).toBe(droppedAt)
    expect(down.pollIntervalMs).toBe(harness.pollingInterval())
    expect(down.pollIntervalMs).not.toBeNull()

    // The rejoin's catch-up refetch is held: the query is catching up until it settles.
    harness.backend.hold()
    harness.transport.connectBehavior = 'open'
    for (
      let waited = 0;
      waited < 60_000 && harness.state().channels['project:p1']?.state !== 'subscribed';
      waited += 250
    )
      await harness.clock.advance(250)
    await harness.clock.advance(1_000)
    expect(harness.state().channels['project:p1']?.state).toBe('subscribed')
    const catching = freshnessOf(harness, 'projectGenerations', 'p1')
    expect(catching.mode).toBe('catching-up')
    expect(catching.staleSince).toBe(droppedAt)

    harness.backend.release()
    await harness.clock.advance(10)
    expect(freshnessOf(harness, 'projectGenerations', 'p1')).toMatchObject({ mode: 'live', staleSince: null })
  })

  it('is live once a replay after a gap is complete, without waiting for a refetch', async () => {
    const harness = await replayedP1()
    harness.emit(p1Change(1, 'm-1', true))
    harness.emit(p1Change(2, 'm-2', true))
    await harness.clock.advance(REPLAY_WINDOW_MS)
    expect(harness.state().channels['project:p1']?.catchUp).toBe('replayed')
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('live')
  })

  it('keeps catching up after a replay that fell back, until the refetch settles', async () => {
    const harness = await replayedP1()
    for (let n = 0; n < 25; n++) harness.emit(p1Change(n, `m-${n}`, true))
    await harness.clock.advance(REPLAY_WINDOW_MS)
    expect(harness.state().channels['project:p1']?.catchUp).toBe('invalidated')
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('catching-up')
    harness.backend.release()
    await harness.clock.advance(10)
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('live')
  })

  it('catches up again when a replay already called complete reaches its limit late', async () => {
    const harness = await replayedP1()
    for (let n = 0; n < 24; n++) harness.emit(p1Change(n, `m-${n}`, true))
    await harness.clock.advance(REPLAY_WINDOW_MS)
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('live')
    harness.emit(p1Change(24, 'm-24', true))
    await harness.clock.advance(10)
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('catching-up')
    harness.backend.release()
    await harness.clock.advance(10)
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('live')
  })

  it('ends a catch-up that never settles after its bound', async () => {
    const harness = await liveP1()
    harness.backend.hold()
    harness.transport.dropSocket()
    for (let waited = 0; waited < 60_000 && harness.state().channels['project:p1']?.joins !== 2; waited += 250)
      await harness.clock.advance(250)
    await harness.clock.advance(1_000)
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('catching-up')
    await harness.clock.advance(CATCH_UP_BOUND_MS)
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('live')
    harness.backend.release()
  })

  it('polls through the kill switch and is live again after enable', async () => {
    const harness = await liveP1()
    harness.store.dispatch(harness.realtime.actions.disable())
    await harness.clock.advance(10)
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('polling')
    harness.store.dispatch(harness.realtime.actions.enable())
    await harness.clock.advance(5_000)
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('live')
  })

  it('takes the weakest of the topics that cover a query', async () => {
    const harness = await liveP1()
    harness.transport.joinReply = (topic) => (topic === 'project:other' ? 'hang' : 'ok')
    harness.subscribe('project:other', P1)
    await harness.clock.advance(1_000)
    expect(harness.state().channels['project:other']?.state).toBe('subscribing')
    expect(freshnessOf(harness, 'projectGenerations', 'p1').mode).toBe('polling')
  })

  it('is unmanaged again once the covering subscription is released', async () => {
    h = createRouterHarness({}, { seed: 3 })
    h.mount('projectGenerations', 'p1')
    const handle = h.subscribe('project:p1', P1)
    await h.clock.advance(2_000)
    expect(freshnessOf(h, 'projectGenerations', 'p1').mode).toBe('live')
    handle.unsubscribe()
    await h.clock.advance(10)
    expect(freshnessOf(h, 'projectGenerations', 'p1').mode).toBe('unmanaged')
  })

  it('keeps its result object while nothing in it changes, and one selector per endpoint and arguments', async () => {
    const harness = await liveP1()
    const select = harness.realtime.selectors.selectFreshness('projectGenerations', 'p1')
    expect(harness.realtime.selectors.selectFreshness('projectGenerations', 'p1')).toBe(select)
    const first = select(harness.store.getState())
    harness.store.dispatch(harness.realtime.actions.setVisibility(true))
    await harness.clock.advance(100)
    expect(select(harness.store.getState())).toBe(first)
  })

  it('keeps confirming fetches after realtime is stopped and started again', async () => {
    const harness = await liveP1()
    harness.stop()
    const stopAgain = harness.realtime.start(harness.store)
    try {
      harness.mount('projectGenerations', 'p3')
      await harness.clock.advance(10)
      expect(freshnessOf(harness, 'projectGenerations', 'p3').lastConfirmedAt).toBe(harness.clock.now() - 10)
    } finally {
      stopAgain()
    }
  })

  it('names a bad endpoint name', async () => {
    const harness = await liveP1()
    expect(() => harness.realtime.selectors.selectFreshness('' as never, 1)).toThrow(/endpointName/)
  })

  it('polls a topic whose channel failed', async () => {
    const harness = await liveP1()
    const lostAt = harness.clock.now()
    harness.transport.emit('project:p1', { type: 'status', status: 'CHANNEL_ERROR', error: null })
    await harness.clock.advance(0)
    expect(freshnessOf(harness, 'projectGenerations', 'p1')).toMatchObject({ mode: 'polling', staleSince: lostAt })
  })
})
