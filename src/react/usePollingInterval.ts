import { useSelector } from 'react-redux'
import { useRealtime } from './RealtimeProvider'

/**
 * The poll cadence for queries that no realtime subscription keeps fresh, as a number for an
 * RTK Query hook's `pollingInterval`: the dead-mode cadence (5–15 s visible, 15–30 s hidden)
 * while realtime is down or disabled, the safety net (`polling.healthyMs`) while it is up, and
 * 0 (off) when the safety net is off. Never 0 while realtime is down.
 *
 * @example
 * const pollingInterval = usePollingInterval()
 * const { data } = useGetTasksQuery(projectId, { pollingInterval })
 */
export function usePollingInterval(): number {
  const { selectPollingInterval } = useRealtime().selectors
  return useSelector((root) => selectPollingInterval(root) ?? 0)
}
