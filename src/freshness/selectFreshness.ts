import { createSelector } from '@reduxjs/toolkit'
import type { FullTag, RtkqApi } from '../rtkq/rtkqApi'
import { cachedQueries, type CachedQueries } from '../rtkq/rtkqCache'
import { defaultQueryCacheKey, findQueryCacheKey, providedTagsOf } from '../rtkq/rtkqTags'
import type { RealtimeState } from '../slice/state'
import { computeFreshness, type Freshness } from './freshnessModel'

/** Selectors kept per endpoint and arguments at most (the least recently asked for go first). */
const SELECTORS_KEPT = 500

const NO_TAGS: readonly FullTag[] = Object.freeze([])

/**
 * The freshness selector of a realtime instance.
 *
 * @example
 * const select = realtime.selectors.selectFreshness('getTodos', { listId: 1 })
 * select(store.getState()).mode // 'live'
 */
export type SelectFreshness = (endpointName: string, args: unknown) => (root: unknown) => Freshness

function sameFreshness(a: Freshness, b: Freshness): boolean {
  return (
    a.mode === b.mode &&
    a.lastConfirmedAt === b.lastConfirmedAt &&
    a.staleSince === b.staleSince &&
    a.pendingWrites === b.pendingWrites &&
    a.pollIntervalMs === b.pollIntervalMs
  )
}

function buildSelector(
  selectRealtimeState: (root: unknown) => RealtimeState,
  api: Pick<RtkqApi, 'reducerPath'>,
  endpointName: string,
  args: unknown,
) {
  // The entry's key is looked up once per cache object (RTK Query makes a new one on every change).
  let lastQueries: CachedQueries | null = null
  let lastKey: string | null = null
  const keyOf = (root: unknown) => {
    const queries = cachedQueries(root, api)
    if (queries !== lastQueries) {
      lastQueries = queries
      lastKey = findQueryCacheKey(queries, endpointName, args)
    }
    return lastKey
  }
  return createSelector(
    [
      selectRealtimeState,
      (root: unknown) => {
        const key = keyOf(root)
        return key === null ? NO_TAGS : providedTagsOf(root, api, key)
      },
      (root: unknown) => {
        const key = keyOf(root)
        return key === null ? undefined : selectRealtimeState(root).freshness.confirmedAt[key]
      },
    ],
    (realtime, providedTags, confirmedAt) => computeFreshness({ realtime, providedTags, confirmedAt }),
    { memoizeOptions: { resultEqualityCheck: sameFreshness } },
  )
}

/**
 * `selectFreshness(endpointName, args)`: one memoized selector per endpoint and arguments (the
 * same function for equal arguments), reading the slice and that query's own provided tags only,
 * never scanning the other queries; its result keeps its reference while nothing in it changes.
 * Without an api every query is `unmanaged`.
 * @internal
 */
export function createSelectFreshness(
  selectRealtimeState: (root: unknown) => RealtimeState,
  api: Pick<RtkqApi, 'reducerPath'> | null,
): SelectFreshness {
  const selectors = new Map<string, (root: unknown) => Freshness>()
  const apiOrNone = api ?? { reducerPath: '\u0000no api' }
  return (endpointName, args) => {
    if (typeof endpointName !== 'string' || endpointName === '')
      throw new TypeError('selectFreshness(endpointName, args): endpointName must be the name of a query endpoint')
    const id = defaultQueryCacheKey(endpointName, args)
    let selector = selectors.get(id)
    if (selector) selectors.delete(id)
    else selector = buildSelector(selectRealtimeState, apiOrNone, endpointName, args)
    selectors.set(id, selector)
    if (selectors.size > SELECTORS_KEPT) selectors.delete(selectors.keys().next().value as string)
    return selector
  }
}
