import { rtkqMatchers, type QueryThunkAction, type RtkqMatchers } from '../rtkq/rtkqActions'
import type { RtkqApi } from '../rtkq/rtkqApi'
import { cachedEntry, cachedQueries, invalidationBehavior } from '../rtkq/rtkqCache'

/** Refetches one query entry, as RTK Query's own invalidation does (`initiate(args, { subscribe: false, forceRefetch: true })`). */
export type RefetchEntry = (endpointName: string, originalArgs: unknown) => unknown

/** How many entries we wait on at most; older ones are forgotten (bounded memory). */
const MAX_WAITING = 1_000

/**
 * Refetches query entries one by one, never dropping one: an entry whose request is in flight
 * (RTK Query would skip it) is refetched once more when that request settles. Used where a tag
 * invalidation cannot be trusted to reach the entries in time: the first-join catch-up, an
 * invalidation held too long by unrelated requests, reads restarted after a loss.
 *
 * It also keeps "an event that arrives while its tag's refetch is in flight leads to one more
 * refetch" true under `invalidationBehavior: 'immediately'` ({@link EntryRefetches.invalidating}):
 * RTK Query then refetches at once and skips an entry whose request is still pending, so that
 * event would be lost. (The default, `'delayed'`, already holds the invalidation until pending
 * requests settle; nothing is done then.)
 * @internal
 */
export class EntryRefetches {
  /** queryCacheKey → the request in flight that a refetch waits on. */
  private readonly waiting = new Map<string, string>()

  private readonly matchers: RtkqMatchers

  constructor(
    private readonly api: Pick<RtkqApi, 'reducerPath'>,
    private readonly refetch: RefetchEntry,
  ) {
    this.matchers = rtkqMatchers(api.reducerPath)
  }

  /** Before an invalidation is dispatched: under `'immediately'`, notes the entries it hits that are in flight. */
  invalidating(rootState: unknown, queryCacheKeys: Iterable<string>): void {
    if (invalidationBehavior(rootState, this.api) !== 'immediately') return
    const queries = cachedQueries(rootState, this.api)
    for (const key of queryCacheKeys) {
      const entry = queries[key]
      if (entry?.status === 'pending' && entry.requestId !== undefined) this.wait(key, entry.requestId)
    }
  }

  /** Refetches each entry now, or when its request in flight settles. Entries never fetched are left alone. */
  refetchEntries(rootState: unknown, queryCacheKeys: Iterable<string>): void {
    const queries = cachedQueries(rootState, this.api)
    for (const key of queryCacheKeys) {
      const entry = queries[key]
      if (!entry?.endpointName || entry.status === undefined || entry.status === 'uninitialized') continue
      if (entry.status === 'pending') {
        if (entry.requestId !== undefined) this.wait(key, entry.requestId)
      } else this.refetch(entry.endpointName, entry.originalArgs)
    }
  }

  /** Refetches each entry that is not in flight; returns how many it refetched and the keys of those in flight (left alone). */
  refetchIdle(rootState: unknown, queryCacheKeys: Iterable<string>): { refetched: number; inFlight: string[] } {
    const queries = cachedQueries(rootState, this.api)
    const inFlight: string[] = []
    let refetched = 0
    for (const key of queryCacheKeys) {
      const entry = queries[key]
      if (!entry?.endpointName || entry.status === undefined || entry.status === 'uninitialized') continue
      if (entry.status === 'pending') inFlight.push(key)
      else {
        this.refetch(entry.endpointName, entry.originalArgs)
        refetched += 1
      }
    }
    return { refetched, inFlight }
  }

  /** After an `executeQuery` action: refetches the entry if it settled while a refetch waited on it. */
  observe(action: QueryThunkAction, rootState: unknown): void {
    if (!this.matchers.isQuerySettled(action)) return
    const key = action.meta?.arg?.queryCacheKey
    // Only the request that was in flight settles it (not the skipped refetch, rejected by its condition).
    if (key === undefined || this.waiting.get(key) !== action.meta?.requestId) return
    this.waiting.delete(key)
    const entry = cachedEntry(rootState, this.api, key)
    if (entry?.endpointName !== undefined && entry.status !== 'pending')
      this.refetch(entry.endpointName, entry.originalArgs)
  }

  clear(): void {
    this.waiting.clear()
  }

  private wait(key: string, requestId: string): void {
    this.waiting.set(key, requestId)
    for (const oldest of this.waiting.keys()) {
      if (this.waiting.size <= MAX_WAITING) break
      this.waiting.delete(oldest)
    }
  }
}
