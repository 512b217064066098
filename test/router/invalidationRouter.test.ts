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

  it('delivers events in one batch per ~16 ms window', async () => {
    const { clock, emit, realtime } = await connectedWithQueries()
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await clock.advance(5)
    emit(bc('GENERATIONS_UPDATED', { projectId: 'p2' }))
    await clock.advance(15)
    const batches = h!.payloadsOf(realtime.events.eventsReceived)
    expect(batches.map((batch) => batch.events.length)).toEqual([2])
    expect(fetchCounts(h!)).toEqual({ ...INITIAL, p1: 2, p2: 2 })
  })

  it('refetches at most 3 times for a burst of 1,000 events on one tag over 1 s, and the last event is not lost', async () => {
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
    // The trailing refetch after the last event happened, and nothing more.
    expect(h!.fetches('projectGenerations', 'p1') - 1).toBe(3)
    expect(h!.fetches('projectGenerations', 'p2')).toBe(1)
    expect(h!.metrics()).toMatchObject({ eventsRouted: 1_000, invalidationsIssued: 3 })
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
    // Batches at +16, +116, …, +416: one leading invalidation, four coalesced into one trailing at +516.
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
    // 16 ms for the leading edge; 416 ms (event at +100, invalidated at +516) for the trailing one.
    expect(metrics.eventToInvalidation.max).toBe(416)
    expect(metrics.eventToInvalidation.p50!).toBeLessThanOrEqual(20)
    expect(metrics.eventToRefetch.max).toBe(416)
    expect(metrics.pollIntervalMs).toBe(60_000)
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
    expect(h!.metrics().eventToInvalidation).toMatchObject({ count: 1, max: 16 })
    expect(h!.metrics().eventToRefetch).toMatchObject({ count: 1, max: 16 })
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
