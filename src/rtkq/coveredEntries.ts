import type { FullTag } from './rtkqApi'

/** What the lookup needs of an api: any `createApi()` api is one (its `never` parameters accept every api's own types). */
interface SelectsInvalidated {
  util: { selectInvalidatedBy(state: never, tags: never): ReadonlyArray<{ queryCacheKey: string }> }
}

/**
 * The queryCacheKeys of the api's cache entries that `tags` cover in `rootState`, as RTK Query
 * decides it (`api.util.selectInvalidatedBy`). RTK Query's selector may throw on a state it does
 * not expect (no api slice yet, a foreign shape): then `onFailure` hears of it and no entry is
 * covered, so a caller never sees the exception.
 * @internal
 */
export function coveredEntries(
  api: SelectsInvalidated,
  rootState: unknown,
  tags: FullTag[],
  onFailure: (error: unknown) => void,
): string[] {
  try {
    return api.util.selectInvalidatedBy(rootState as never, tags as never).map((entry) => entry.queryCacheKey)
  } catch (error) {
    onFailure(error)
    return []
  }
}
