import type { Clock } from '../env/clock'
import { rtkqMatchers, type QueryThunkAction, type RtkqMatchers } from '../rtkq/rtkqActions'

/** How many invalidated queries we wait on at most; older ones are forgotten (bounded memory). */
const MAX_TRACKED = 1_000

/**
 * Measures event → refetch-fulfilled latency: after an invalidation it remembers the query
 * cache entries that provide the invalidated tags, picks up the refetch each one starts next,
 * and reports the time from the earliest event to that refetch's fulfilment.
 */
export class RefetchTracker {
  /** queryCacheKey → earliest event receive time awaiting a refetch. */
  private readonly awaitingStart = new Map<string, number>()
  /** requestId → event receive time. */
  private readonly inFlight = new Map<string, number>()

  private readonly matchers: RtkqMatchers

  constructor(
    private readonly clock: Clock,
    reducerPath: string,
  ) {
    this.matchers = rtkqMatchers(reducerPath)
  }

  /** Entries that an invalidation at `eventAt` will refetch. */
  invalidated(queryCacheKeys: Iterable<string>, eventAt: number): void {
    for (const key of queryCacheKeys) {
      const known = this.awaitingStart.get(key)
      if (known === undefined || eventAt < known) this.awaitingStart.set(key, eventAt)
    }
    this.trim(this.awaitingStart)
  }

  /** Feeds every action; returns a latency sample when a tracked refetch fulfils. */
  observe(action: QueryThunkAction): number | null {
    if (!this.matchers.isQuery(action)) return null
    const requestId = action.meta?.requestId
    const cacheKey = action.meta?.arg?.queryCacheKey
    if (!requestId || !cacheKey) return null
    if (this.matchers.isQueryPending(action)) {
      const eventAt = this.awaitingStart.get(cacheKey)
      if (eventAt !== undefined) {
        this.awaitingStart.delete(cacheKey)
        this.inFlight.set(requestId, eventAt)
        this.trim(this.inFlight)
      }
      return null
    }
    const eventAt = this.inFlight.get(requestId)
    if (eventAt === undefined) return null
    this.inFlight.delete(requestId)
    return this.matchers.isQueryFulfilled(action) ? Math.max(0, this.clock.now() - eventAt) : null
  }

  clear(): void {
    this.awaitingStart.clear()
    this.inFlight.clear()
  }

  private trim(map: Map<string, number>): void {
    while (map.size > MAX_TRACKED) {
      const oldest = map.keys().next()
      if (oldest.done) return
      map.delete(oldest.value)
    }
  }
}
