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
  meta?: {
    rejectedWithValue?: boolean
    baseQueryMeta?: unknown
    arg?: { endpointName?: unknown; originalArgs?: unknown }
  }
}

/** Matchers of one api's thunk actions. @internal */
export interface RtkqMatchers {
  /** Any `executeQuery` action (pending, fulfilled, rejected). */
  isQuery(action: { type: string }): boolean
  isQueryPending(action: { type: string }): boolean
  isQueryFulfilled(action: { type: string }): boolean
  /** Fulfilled or rejected. */
  isQuerySettled(action: { type: string }): boolean
  /** Any `executeMutation` action. */
  isMutation(action: { type: string }): boolean
  isMutationFulfilled(action: { type: string }): boolean
  isMutationRejected(action: { type: string }): boolean
  /** `resetApiState`: RTK Query forgets its cache and its requests in flight. */
  isApiReset(action: { type: string }): boolean
  /** The phase of a query or mutation thunk action; null for any other action. */
  phaseOf(action: { type: string }): 'pending' | 'fulfilled' | 'rejected' | null
}

/** @internal */
export function rtkqMatchers(reducerPath: string): RtkqMatchers {
  const query = `${reducerPath}/executeQuery/`
  const queryPending = `${query}pending`
  const queryFulfilled = `${query}fulfilled`
  const queryRejected = `${query}rejected`
  const mutation = `${reducerPath}/executeMutation/`
  const mutationFulfilled = `${mutation}fulfilled`
  const mutationRejected = `${mutation}rejected`
  const reset = `${reducerPath}/resetApiState`
  const phases = new Set(['pending', 'fulfilled', 'rejected'] as const)
  return {
    isQuery: (action) => action.type.startsWith(query),
    isQueryPending: (action) => action.type === queryPending,
    isQueryFulfilled: (action) => action.type === queryFulfilled,
    isQuerySettled: (action) => action.type === queryFulfilled || action.type === queryRejected,
    isMutation: (action) => action.type.startsWith(mutation),
    isMutationFulfilled: (action) => action.type === mutationFulfilled,
    isMutationRejected: (action) => action.type === mutationRejected,
    isApiReset: (action) => action.type === reset,
    phaseOf: (action) => {
      if (!action.type.startsWith(query) && !action.type.startsWith(mutation)) return null
      const phase = action.type.slice(action.type.lastIndexOf('/') + 1) as 'pending' | 'fulfilled' | 'rejected'
      return phases.has(phase) ? phase : null
    },
  }
}
