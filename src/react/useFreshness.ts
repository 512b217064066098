import { useSelector } from 'react-redux'
import type { Freshness } from '../freshness/freshnessModel'
import { useRealtime } from './RealtimeProvider'

/**
 * How fresh one cached query is: `{ mode, lastConfirmedAt, staleSince, pendingWrites,
 * pollIntervalMs }` (see `Freshness`), for the same `endpointName` and `args` as its RTK Query
 * hook. Re-renders only when one of those fields changes; equal `args` share one selector.
 *
 * @example
 * const { mode, lastConfirmedAt } = useFreshness('getTodos', { listId })
 * const label = mode === 'live' ? 'Live' : mode === 'catching-up' ? 'Updating…' : 'Offline'
 */
export function useFreshness(endpointName: string, args: unknown): Freshness {
  const { selectors } = useRealtime()
  return useSelector(selectors.selectFreshness(endpointName, args))
}
