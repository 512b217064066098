/** The part of an RTK Query api's state this needs (`state[api.reducerPath]`). */
interface ApiSliceState {
  config?: { invalidationBehavior?: string }
  queries?: Record<string, { status?: string; requestId?: string; endpointName?: string; originalArgs?: unknown } | undefined>
}

/** Refetches one query entry, as RTK Query's own invalidation does (`initiate(args, { subscribe: false, forceRefetch: true })`). */
export type RefetchEntry = (endpointName: string, originalArgs: unknown) => unknown

/** How many entries we wait on at most; older ones are forgotten (bounded memory). */
const MAX_WAITING = 1_000

/**
 * Keeps "an event that arrives while its tag's refetch is in flight leads to one more refetch"
 * true under `invalidationBehavior: 'immediately'`. RTK Query then refetches at once and skips
 * an entry whose request is still pending, so that event would be lost; we remember such entries
 * and refetch each once when its request settles. (The default, `'delayed'`, already holds the
 * invalidation until pending requests settle; nothing is done then.)
 */
export class InFlightRefetches {
  /** queryCacheKey → the request in flight when an invalidation hit it. */
  private readonly waiting = new Map<string, string>()

  constructor(private readonly reducerPath: string) {}

  /** Before an invalidation is dispatched: notes the entries it hits that are in flight. */
  invalidating(rootState: unknown, queryCacheKeys: Iterable<string>): void {
    const state = (rootState as Record<string, ApiSliceState | undefined>)[this.reducerPath]
    if (state?.config?.invalidationBehavior !== 'immediately') return
    for (const key of queryCacheKeys) {
      const entry = state.queries?.[key]
      if (entry?.status === 'pending' && entry.requestId !== undefined) this.waiting.set(key, entry.requestId)
    }
    for (const key of this.waiting.keys()) {
      if (this.waiting.size <= MAX_WAITING) break
      this.waiting.delete(key)
    }
  }

  /** After an `executeQuery` action: refetches the entry if it settled while an invalidation waited on it. */
  observe(action: { type: string; meta?: { requestId?: string; arg?: { queryCacheKey?: string } } }, rootState: unknown, refetch: RefetchEntry): void {
    if (!action.type.endsWith('/fulfilled') && !action.type.endsWith('/rejected')) return
    const key = action.meta?.arg?.queryCacheKey
    // Only the request that was in flight settles it (not the skipped refetch, rejected by its condition).
    if (key === undefined || this.waiting.get(key) !== action.meta?.requestId) return
    this.waiting.delete(key)
    const entry = (rootState as Record<string, ApiSliceState | undefined>)[this.reducerPath]?.queries?.[key]
    if (entry?.endpointName !== undefined && entry.status !== 'pending') refetch(entry.endpointName, entry.originalArgs)
  }

  clear(): void {
    this.waiting.clear()
  }
}
