import type { BaseQueryApi, BaseQueryFn, FetchArgs } from '@reduxjs/toolkit/query'
import type { ConnectionState } from '../policy/connectionTransition'

/**
 * Wraps a `fetchBaseQuery`-style baseQuery so that, while realtime is down, every request goes
 * out with `cache: 'no-store'`: during dead mode polling is the only path to fresh data, and a
 * service worker or HTTP cache must not answer it with stale JSON.
 *
 * @example
 * baseQuery: withNoStore(fetchBaseQuery({ baseUrl: '/rest/v1' }), realtime.selectors.selectConnectionState)
 */
export function withNoStore<Args extends string | FetchArgs, Result, Error, Extra, Meta>(
  baseQuery: BaseQueryFn<Args, Result, Error, Extra, Meta>,
  selectConnectionState: (root: unknown) => ConnectionState,
): BaseQueryFn<Args, Result, Error, Extra, Meta> {
  return (args: Args, api: BaseQueryApi, extraOptions: Extra) => {
    if (selectConnectionState(api.getState()) === 'connected') return baseQuery(args, api, extraOptions)
    const noStore = (
      typeof args === 'string' ? { url: args, cache: 'no-store' } : { ...(args as FetchArgs), cache: 'no-store' }
    ) as Args
    return baseQuery(noStore, api, extraOptions)
  }
}
