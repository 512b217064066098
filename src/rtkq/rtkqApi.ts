import type { UnknownAction } from '@reduxjs/toolkit'

/** A tag in RTK Query's full form. */
export interface FullTag {
  type: string
  id?: string | number
}

/**
 * A stable key per tag (`Type` or `Type|id`), for throttling, de-duplication and the slice's
 * records. Ids compare as strings, as RTK Query does: `7` and `'7'` are one tag.
 * @internal
 */
export function tagKey(tag: FullTag): string {
  return tag.id === undefined ? tag.type : `${tag.type}|${String(tag.id)}`
}

/** What one query endpoint of an api offers the library. */
export interface RtkqEndpoint {
  select?(arg: unknown): (state: never) => { status?: string; requestId?: string; data?: unknown }
  initiate?(arg: unknown, options: { subscribe: false; forceRefetch: true }): unknown
}

/**
 * Everything the library uses of an RTK Query api (`createApi()`), in one place: any api is
 * assignable to it (the `never` parameters accept every endpoint's own types), and the library
 * casts nothing else. Reads and writes of its cache go through `src/rtkq/`. Not exported from the
 * package entries (internal declarations refer to it, so it is not stripped).
 */
export interface RtkqApi {
  reducerPath: string
  util: {
    updateQueryData(endpointName: never, args: never, recipe: (draft: never) => void): unknown
    invalidateTags(tags: FullTag[]): UnknownAction
    selectInvalidatedBy(state: never, tags: FullTag[]): Array<{ queryCacheKey: string }>
    /** RTK Query's handle on a query in flight (its initiate promise, with `abort()`). */
    getRunningQueryThunk?(endpointName: string, args: unknown): unknown
  }
  endpoints: Record<string, RtkqEndpoint | undefined>
  /** Read-only use: the function form hands us an endpoint's definition (its `invalidatesTags`). */
  enhanceEndpoints?(options: { endpoints: Record<string, (definition: unknown) => void> }): unknown
}

/** Whether `api` has what the library needs of an RTK Query api (checked at `createRealtime`). @internal */
export function isRtkqApi(api: unknown): api is RtkqApi {
  const candidate = api as {
    reducerPath?: unknown
    util?: { invalidateTags?: unknown; selectInvalidatedBy?: unknown; updateQueryData?: unknown }
  } | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.reducerPath === 'string' &&
    typeof candidate.util?.invalidateTags === 'function' &&
    typeof candidate.util?.selectInvalidatedBy === 'function'
  )
}
