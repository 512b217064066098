/**
 * RTK Query's thunk actions, recognised by the type prefix RTK Query gives them
 * (`<reducerPath>/executeQuery/…`, `<reducerPath>/executeMutation/…`): the one place that knows
 * those strings. Endpoint matchers (`api.endpoints.x.matchFulfilled`) would miss endpoints
 * injected later, so the api-wide prefix is used.
 * @internal
 */

/** The fields of a query thunk action the library reads. @internal */
export interface QueryThunkAction {
  type: string
  meta?: { requestId?: string; arg?: { queryCacheKey?: string; type?: string } }
}

/** The fields of a mutation result action the library reads. @internal */
export interface MutationResultAction {
  type: string
  payload?: unknown
  meta?: { rejectedWithValue?: boolean; baseQueryMeta?: unknown; arg?: { endpointName?: unknown; originalArgs?: unknown } }
}

/** Matchers of one api's thunk actions. @internal */
export interface RtkqMatchers {
  /** Any `executeQuery` action (pending, fulfilled, rejected). */
  isQuery(action: { type: string }): boolean
  isQueryPending(action: { type: string }): boolean
  isQueryFulfilled(action: { type: string }): boolean
  /** Fulfilled or rejected. */
  isQuerySettled(action: { type: string }): boolean
  isMutationFulfilled(action: { type: string }): boolean
  isMutationRejected(action: { type: string }): boolean
}

/** @internal */
export function rtkqMatchers(reducerPath: string): RtkqMatchers {
  const query = `${reducerPath}/executeQuery/`
  const queryPending = `${query}pending`
  const queryFulfilled = `${query}fulfilled`
  const queryRejected = `${query}rejected`
  const mutationFulfilled = `${reducerPath}/executeMutation/fulfilled`
  const mutationRejected = `${reducerPath}/executeMutation/rejected`
  return {
    isQuery: (action) => action.type.startsWith(query),
    isQueryPending: (action) => action.type === queryPending,
    isQueryFulfilled: (action) => action.type === queryFulfilled,
    isQuerySettled: (action) => action.type === queryFulfilled || action.type === queryRejected,
    isMutationFulfilled: (action) => action.type === mutationFulfilled,
    isMutationRejected: (action) => action.type === mutationRejected,
  }
}
