import { rtkqMatchers } from '../rtkq/rtkqActions'
import type { CoreContext } from './context'

/** Reads prove the network is back at most this often: a burst of reads must not become a retry storm. */
export const READ_RETRY_GAP_MS = 5_000

/** When a successful read last cut a retry wait short (one per connection saga). @internal */
export interface ReadRetryThrottle {
  lastAt: number | null
}

/**
 * Matches a fulfilled RTK Query request of the app's api (`<reducerPath>/executeQuery/fulfilled`,
 * or a mutation's): the network is back, whatever the realtime socket says. Node has no `online`
 * signal, so this is what ends a retry wait early there. Never matches without an api.
 *
 * @internal
 */
export function readSucceeded(ctx: CoreContext): (action: unknown) => boolean {
  const path = ctx.apiReducerPath
  if (path === null) return () => false
  const matchers = rtkqMatchers(path)
  return (action) => {
    const type = (action as { type?: unknown } | null)?.type
    if (typeof type !== 'string') return false
    return matchers.isQueryFulfilled({ type }) || matchers.isMutationFulfilled({ type })
  }
}

/** True (and recorded) when a read may cut a wait short now; false inside the gap after the last one. @internal */
export function takeReadRetry(throttle: ReadRetryThrottle, now: number): boolean {
  if (throttle.lastAt !== null && now - throttle.lastAt < READ_RETRY_GAP_MS) return false
  throttle.lastAt = now
  return true
}
