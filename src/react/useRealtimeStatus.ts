import { shallowEqual, useSelector } from 'react-redux'
import type { ConnectionState } from '../policy/connectionTransition'
import type { RealtimeAlert } from '../slice/alertOf'
import type { ErrorRecord } from '../slice/state'
import { useRealtime } from './RealtimeProvider'

/** The connection at a glance, as {@link useRealtimeStatus} reports it. */
export interface RealtimeStatus {
  connection: ConnectionState
  isConnected: boolean
  /** When `connection` last changed (ms since the epoch), or null before the first change. */
  since: number | null
  /** The retry number of the scheduled attempt (0 when healthy). */
  attempt: number
  /** When the next connection attempt is due, or null. */
  nextRetryAt: number | null
  lastError: ErrorRecord | null
  /**
   * False, or what to tell the user: realtime down for over a minute while the page is visible and
   * polling is slow (`REALTIME_DOWN`), or connected but a table delivering no events (`REALTIME_SILENT`).
   */
  alert: RealtimeAlert | false
  /** The poll cadence in force (ms), or null when nothing polls. */
  pollingInterval: number | null
  visible: boolean
  online: boolean
}

/**
 * The connection state and what the user may need to know about it. Re-renders only when
 * one of these fields changes.
 *
 * @example
 * const { connection, alert } = useRealtimeStatus()
 * if (alert) return <Banner>Live updates are paused; data refreshes every few seconds.</Banner>
 */
export function useRealtimeStatus(): RealtimeStatus {
  const { selectRealtimeState, selectAlert } = useRealtime().selectors
  return useSelector((root): RealtimeStatus => {
    const state = selectRealtimeState(root)
    return {
      connection: state.connection,
      isConnected: state.connection === 'connected',
      since: state.connectionSince,
      attempt: state.attempt,
      nextRetryAt: state.nextRetryAt,
      lastError: state.lastError,
      alert: selectAlert(root),
      pollingInterval: state.metrics.pollIntervalMs,
      visible: state.visible,
      online: state.online,
    }
  }, shallowEqual)
}
