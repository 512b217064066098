import { defaultSerializeQueryArgs } from '@reduxjs/toolkit/query'
import type { FullTag, RtkqApi } from './rtkqApi'
import type { CachedQueries } from './rtkqCache'

/** RTK Query's `provided` slice (RTK 2.6 and later): `keys` maps each queryCacheKey to its tags. */
interface ProvidedState {
  keys?: Record<string, readonly FullTag[] | undefined>
}

const NO_TAGS: readonly FullTag[] = Object.freeze([])

/** RTK Query's default queryCacheKey of `endpointName(args)` (what `serializeQueryArgs` gives unless overridden). @internal */
export function defaultQueryCacheKey(endpointName: string, args: unknown): string {
  return defaultSerializeQueryArgs({ endpointName, queryArgs: args, endpointDefinition: {} as never })
}

/**
 * Finds the queryCacheKey of `endpointName(args)` in the cache: RTK Query's default key when the
 * entry is there (O(1)); for an endpoint with its own `serializeQueryArgs`, the entry of that
 * endpoint whose `originalArgs` serialize the same (a scan of the cache, done only on such a
 * miss; callers memoize it per cache). Null when the query is not cached.
 * @internal
 */
export function findQueryCacheKey(queries: CachedQueries, endpointName: string, args: unknown): string | null {
  const key = defaultQueryCacheKey(endpointName, args)
  if (queries[key]?.endpointName === endpointName) return key
  for (const [candidate, entry] of Object.entries(queries)) {
    if (entry?.endpointName !== endpointName) continue
    if (defaultQueryCacheKey(endpointName, entry.originalArgs) === key) return candidate
  }
  return null
}

/**
 * The tags a cached query provides (RTK Query's `provided` state), as RTK Query stored them: the
 * same array until they change.
 * @internal
 */
export function providedTagsOf(
  rootState: unknown,
  api: Pick<RtkqApi, 'reducerPath'>,
  queryCacheKey: string,
): readonly FullTag[] {
  const slice = (rootState as Record<string, { provided?: ProvidedState } | undefined> | null)?.[api.reducerPath]
  return slice?.provided?.keys?.[queryCacheKey] ?? NO_TAGS
}
