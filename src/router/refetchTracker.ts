import type { Clock } from '../env/clock'

interface QueryAction {
  type: string
  meta?: { requestId?: string; arg?: { queryCacheKey?: string; type?: string } }
}

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

  constructor(
    private readonly clock: Clock,
    private readonly reducerPath: string,
  ) {}

  /** Entries that an invalidation at `eventAt` will refetch. */
  invalidated(queryCacheKeys: Iterable<string>, eventAt: number): void {
    for (const key of queryCacheKeys) {
      const known = this.awaitingStart.get(key)
      if (known === undefined || eventAt < known) this.awaitingStart.set(key, eventAt)
    }
    this.trim(this.awaitingStart)
  }

  /** Feeds every action; returns a latency sample when a tracked refetch fulfils. */
  observe(action: QueryAction): number | null {
    if (!action.type.startsWith(`${this.reducerPath}/executeQuery/`)) return null
    const requestId = action.meta?.requestId
    const cacheKey = action.meta?.arg?.queryCacheKey
    if (!requestId || !cacheKey) return null
    if (action.type.endsWith('/pending')) {
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
    return action.type.endsWith('/fulfilled') ? Math.max(0, this.clock.now() - eventAt) : null
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
