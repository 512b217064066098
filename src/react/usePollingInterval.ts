import { useSelector } from 'react-redux'
import { pollingInterval } from '../policy/pollingPolicy'
import { useRealtime } from './RealtimeProvider'

/** The cadence without its ±1 s jitter: RTK Query restarts its poll timer whenever the value changes. */
const noJitter = () => 0.5

/**
 * The poll cadence for queries that no realtime subscription keeps fresh, as a number for an
 * RTK Query hook's `pollingInterval`: the dead-mode base cadence (5 s visible, 15 s hidden, or
 * `polling.forceMs`) while realtime is down or disabled, the safety net (`polling.healthyMs`)
 * while it is up, and 0 (off) when that is off. Never 0 while realtime is down. It changes only
 * when the mode does (not on every poll), so components re-render and RTK Query re-arms its
 * timer only then; tabs still drift apart because their modes change at different moments.
 *
 * @example
 * const pollingInterval = usePollingInterval()
 * const { data } = useGetTasksQuery(projectId, { pollingInterval })
 */
export function usePollingInterval(): number {
  const { selectors, options } = useRealtime()
  return useSelector((root) => {
    const { connection, visible } = selectors.selectRealtimeState(root)
    return pollingInterval({ connection, visible }, options.polling, noJitter) ?? 0
  })
}
