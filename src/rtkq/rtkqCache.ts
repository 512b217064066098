import type { UnknownAction } from '@reduxjs/toolkit'
import type { RtkqApi } from './rtkqApi'

/** What the library reads of one RTK Query cache entry. @internal */
export interface CachedEntry {
  endpointName?: string
  originalArgs?: unknown
  status?: string
  requestId?: string
  data?: unknown
  startedTimeStamp?: number
  fulfilledTimeStamp?: number
}

/** An api slice's `queries`, keyed by queryCacheKey. @internal */
export type CachedQueries = Readonly<Record<string, CachedEntry | undefined>>

interface ApiSliceState {
  config?: { invalidationBehavior?: string }
  queries?: CachedQueries
}

const EMPTY: CachedQueries = Object.freeze({})

function sliceOf(rootState: unknown, api: Pick<RtkqApi, 'reducerPath'>): ApiSliceState | undefined {
  return (rootState as Record<string, ApiSliceState | undefined> | null | undefined)?.[api.reducerPath]
}

/** Every cache entry of the api in `rootState`. @internal */
export function cachedQueries(rootState: unknown, api: Pick<RtkqApi, 'reducerPath'>): CachedQueries {
  return sliceOf(rootState, api)?.queries ?? EMPTY
}

/** One cache entry, by queryCacheKey. @internal */
export function cachedEntry(
  rootState: unknown,
  api: Pick<RtkqApi, 'reducerPath'>,
  queryCacheKey: string,
): CachedEntry | undefined {
  return sliceOf(rootState, api)?.queries?.[queryCacheKey]
}

/** The api's `invalidationBehavior` (`'delayed'` unless the api says otherwise). @internal */
export function invalidationBehavior(rootState: unknown, api: Pick<RtkqApi, 'reducerPath'>): string {
  return sliceOf(rootState, api)?.config?.invalidationBehavior ?? 'delayed'
}

/** Whether this api slice changed between two root states (a cheap reference check). @internal */
export function apiSliceChanged(before: unknown, after: unknown, api: Pick<RtkqApi, 'reducerPath'>): boolean {
  return sliceOf(before, api) !== sliceOf(after, api)
}

/** The action that writes `recipe` into one cached entry (`api.util.updateQueryData`). @internal */
export function updateEntry(
  api: RtkqApi,
  endpointName: string,
  args: unknown,
  recipe: (draft: never) => unknown,
): UnknownAction {
  return api.util.updateQueryData(endpointName as never, args as never, recipe as never) as UnknownAction
}

/**
 * The action that refetches one entry as RTK Query's own invalidation does
 * (`initiate(args, { subscribe: false, forceRefetch: true })`); null for an unknown endpoint.
 * @internal
 */
export function refetchEntry(api: RtkqApi, endpointName: string, args: unknown): UnknownAction | null {
  const initiate = api.endpoints[endpointName]?.initiate
  return initiate ? (initiate(args, { subscribe: false, forceRefetch: true }) as UnknownAction) : null
}

/**
 * Aborts the request `requestId` of one entry if it is still the one running (through RTK Query's
 * `getRunningQueryThunk`, the initiate promise's `abort()`); false when it is not running any more.
 * @internal
 */
export function abortRunningQuery(
  api: RtkqApi,
  dispatch: (action: UnknownAction) => unknown,
  endpointName: string,
  args: unknown,
  requestId: string,
): boolean {
  const thunk = api.util.getRunningQueryThunk?.(endpointName, args)
  const running =
    thunk === undefined
      ? undefined
      : (dispatch(thunk as UnknownAction) as { requestId?: string; abort?: () => void } | undefined)
  if (running?.requestId !== requestId || typeof running.abort !== 'function') return false
  running.abort()
  return true
}
