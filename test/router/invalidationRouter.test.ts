import { afterEach, describe, expect, it } from 'vitest'
import { createRouterHarness, type RouterHarness } from '../support/routerHarness'
import { bc, pg } from '../support/routerFixtures'

let h: RouterHarness | null = null
afterEach(() => {
  h?.stop()
  h = null
})

/**
 * A harness with project p1's topic subscribed and joined, then its queries mounted (after the
 * join: the first-join catch-up refetches only data fetched before it).
 */
async function connectedWithQueries(...args: Parameters<typeof createRouterHarness>) {
  h = createRouterHarness(...args)
  h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
  await h.clock.advance(100)
  expect(h.state().channels['project:p1']?.state).toBe('subscribed')
  h.mount('projectGenerations', 'p1')
  h.mount('projectGenerations', 'p2')
  h.mount('shotGenerations', 's1')
  h.mount('shots', 'p1')
  h.mount('taskStatusCounts', 'p1')
  h.mount('tasksPage', { projectId: 'p1', page: 1 })
  h.mount('tasksPage', { projectId: 'p1', page: 2 })
  await h.clock.advance(0)
  return h
}

/** Fetches per query so far, initial fetch included. */
function fetchCounts(harness: RouterHarness) {
  return {
    p1: harness.fetches('projectGenerations', 'p1'),
    p2: harness.fetches('projectGenerations', 'p2'),
    s1: harness.fetches('shotGenerations', 's1'),
    shots: harness.fetches('shots', 'p1'),
    counts: harness.fetches('taskStatusCounts', 'p1'),
    page1: harness.fetches('tasksPage', { projectId: 'p1', page: 1 }),
    page2: harness.fetches('tasksPage', { projectId: 'p1', page: 2 }),
  }
}

const INITIAL = { p1: 1, p2: 1, s1: 1, shots: 1, counts: 1, page1: 1, page2: 1 }

describe('InvalidationRouter with a real RTK Query api', () => {
  it('refetches exactly the queries that provide the tags an event routes to', async () => {
    const { clock, emit } = await connectedWithQueries()
    expect(fetchCounts(h!)).toEqual(INITIAL)
    emit(pg('generations', 'INSERT', { new: { project_id: 'p1', shot_id: 's1' } }))
    await clock.advance(16)
    expect(fetchCounts(h!)).toEqual({ ...INITIAL, p1: 2, s1: 2, shots: 2 })
    emit(pg('tasks', 'UPDATE', { new: { project_id: 'p1', status: 'Complete' }, old: { status: 'Queued' } }))
    await clock.advance(16)
    expect(fetchCounts(h!)).toEqual({ ...INITIAL, p1: 2, s1: 2, shots: 2, counts: 2, page1: 2 })
    expect(h!.backend.count('projectGenerations')).toBe(3)
  })

  it('delivers the first event after a quiet period at once and batches only what follows within ~16 ms', async () => {
    const { clock, emit, realtime } = await connectedWithQueries()
    const sizes = () => h!.payloadsOf(realtime.events.eventsReceived).map((batch) => batch.events.length)
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    // Same turn: no clock advance, and p1's refetch has already started.
    expect(sizes()).toEqual([1])
    expect(h!.started('projectGenerations', 'p1')).toBe(2)
    await clock.advance(5)
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p2' }))
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p2', again: true }))
    expect(sizes()).toEqual([1])
    await clock.advance(11)
    // The two that arrived inside the window go out together when it ends.
    expect(sizes()).toEqual([1, 2])
    expect(fetchCounts(h!)).toEqual({ ...INITIAL, p1: 2, p2: 2 })
    // An empty frame closes the batch: the next event is again delivered at once.
    await clock.advance(40)
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p2' }))
    expect(sizes()).toEqual([1, 2, 1])
  })

  it('refetches at most 3 times during a 1 s burst of 1,000 events on one tag, and once after it for the last events', async () => {
    const { clock, emit } = await connectedWithQueries()
    const start = clock.now()
    for (let i = 0; i < 1_000; i++) {
      emit(bc('GENERATIONS_UPDATED', { projectId: 'p1', i }))
      await clock.advance(1)
    }
    const inTheSecond = h!.fetches('projectGenerations', 'p1') - 1
    expect(clock.now() - start).toBe(1_000)
    expect(inTheSecond).toBeLessThanOrEqual(3)
    await clock.advance(2_000)
    // Leading at +0, trailing at +500 and +1000; the events of the last frame (after +1000) are
    // not lost: one trailing refetch at +1500 carries them, and nothing more.
    expect(h!.fetches('projectGenerations', 'p1') - 1).toBe(4)
    expect(h!.fetches('projectGenerations', 'p2')).toBe(1)
    expect(h!.metrics()).toMatchObject({ eventsRouted: 1_000, invalidationsIssued: 4 })
  })

  it.each(['delayed', 'immediately'] as const)(
    'refetches exactly once more after an event that arrives while the refetch is in flight (invalidationBehavior %s)',
    async (invalidationBehavior) => {
      const { clock, emit, backend } = await connectedWithQueries({}, { invalidationBehavior })
      backend.hold()
      emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
      await clock.advance(16)
      expect(h!.started('projectGenerations', 'p1')).toBe(2)
      expect(h!.fetches('projectGenerations', 'p1')).toBe(1)
      // The refetch is still in flight, well past the throttle window.
      await clock.advance(2_000)
      emit(bc('GENERATIONS_UPDATED', { projectId: 'p1', second: true }))
      await clock.advance(2_000)
      expect(h!.fetches('projectGenerations', 'p1')).toBe(1)
      backend.release()
      await clock.advance(0)
      backend.release()
      await clock.advance(5_000)
      expect(h!.started('projectGenerations', 'p1')).toBe(3)
      expect(h!.fetches('projectGenerations', 'p1')).toBe(3)
      expect(h!.fetches('projectGenerations', 'p2')).toBe(1)
    },
  )

  it('refetches once more after an event inside the throttle window of an in-flight refetch', async () => {
    const { clock, emit, backend } = await connectedWithQueries()
    backend.hold()
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await clock.advance(100)
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await clock.advance(1_000)
    backend.release()
    await clock.advance(0)
    backend.release()
    await clock.advance(5_000)
    expect(h!.fetches('projectGenerations', 'p1')).toBe(3)
  })

  it('reports events routed, invalidations issued and coalesced, and event→invalidation / event→refetch P50 and P95', async () => {
    const { clock, emit } = await connectedWithQueries()
    for (let i = 0; i < 5; i++) {
      emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
      await clock.advance(100)
    }
    emit(bc('SOMETHING_ELSE', {}))
    await clock.advance(2_000)
    const metrics = h!.metrics()
    // Each event arrives after a quiet frame and goes out at once (+0, +100, …, +400): one leading
    // invalidation, four coalesced into one trailing at +500.
    expect(metrics).toMatchObject({
      eventsRouted: 5,
      eventsUnmatched: 1,
      invalidationsIssued: 2,
      invalidationsCoalesced: 4,
    })
    expect(h!.fetches('projectGenerations', 'p1')).toBe(3)
    for (const latency of [metrics.eventToInvalidation, metrics.eventToRefetch]) {
      expect(latency.count).toBe(2)
      expect(latency.p50).not.toBeNull()
      expect(latency.p95).not.toBeNull()
      expect(latency.p95!).toBeGreaterThanOrEqual(latency.p50!)
    }
    // 0 ms for the leading edge (no batch delay); 400 ms (event at +100, invalidated at +500) for the trailing one.
    expect(metrics.eventToInvalidation.max).toBe(400)
    expect(metrics.eventToInvalidation.p50!).toBeLessThan(16)
    expect(metrics.eventToRefetch.max).toBe(400)
    expect(metrics.pollIntervalMs).toBe(60_000)
  })

  it("invalidates an event right after a rejoin's catch-up at once: the catch-up does not take its leading edge", async () => {
    const { clock, emit, transport, realtime } = await connectedWithQueries()
    transport.dropSocket()
    const joins = () => h!.payloadsOf(realtime.events.channelSubscribed).length
    for (let waited = 0; joins() < 2 && waited < 60_000; waited += 10) await clock.advance(10)
    expect(joins()).toBe(2)
    // The rejoin's catch-up invalidated p1's tag (and started its refetch) in this very step.
    const tagged = () => h!.invalidations().filter((tags) => JSON.stringify(tags).includes('"project:p1"')).length
    const afterCatchUp = tagged()
    expect(afterCatchUp).toBeGreaterThanOrEqual(1)
    const startedAfterCatchUp = h!.started('projectGenerations', 'p1')
    await clock.advance(50)
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    // Same turn, no trailing wait: the event has its own invalidation and its own refetch.
    expect(tagged()).toBe(afterCatchUp + 1)
    await clock.advance(0)
    expect(h!.started('projectGenerations', 'p1')).toBe(startedAfterCatchUp + 1)
  })

  it('counts polls, kicks and catch-ups as invalidations but not as event latency', async () => {
    const { clock, emit, transport, store, realtime } = await connectedWithQueries()
    transport.dropSocket()
    await clock.advance(3_000)
    store.dispatch(realtime.actions.setVisibility(false))
    store.dispatch(realtime.actions.setVisibility(true))
    await clock.advance(65_000)
    const quiet = h!.metrics()
    expect(quiet.invalidationsIssued).toBeGreaterThanOrEqual(3)
    expect(quiet.eventToInvalidation.count).toBe(0)
    expect(quiet.eventToRefetch.count).toBe(0)
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await clock.advance(16)
    // The event's own latency only: the first event after a quiet period pays no batch delay.
    expect(h!.metrics().eventToInvalidation).toMatchObject({ count: 1, max: 0 })
    expect(h!.metrics().eventToRefetch).toMatchObject({ count: 1, max: 0 })
  })

  it('tags its logs [InvalidationRouter] and leaves no timers behind after stop()', async () => {
    const { clock, emit, logs } = await connectedWithQueries()
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    emit(bc('UNROUTED', { secret: 'ROW-DATA' }))
    await clock.advance(16)
    expect(logs.some((entry) => entry.line.startsWith('[InvalidationRouter] '))).toBe(true)
    expect(logs.every((entry) => !entry.line.includes('ROW-DATA'))).toBe(true)
    h!.stop()
    await clock.advance(0)
    expect(clock.pendingTimers()).toBe(0)
  })
})
