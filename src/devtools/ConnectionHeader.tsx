import { useDispatch, useSelector } from 'react-redux'
import type { Realtime } from '../core/createRealtime'
import { formatDuration } from './format'
import { connectionTone, styles } from './panelStyles'

interface Props {
  realtime: Realtime
  now: number
  titleId: string
  expanded: boolean
  onToggle(): void
}

/** The connection state, how long it has been in it, and the two controls. */
export function ConnectionHeader({ realtime, now, titleId, expanded, onToggle }: Props) {
  const dispatch = useDispatch()
  const { selectRealtimeState } = realtime.selectors
  const connection = useSelector((root) => selectRealtimeState(root).connection)
  const since = useSelector((root) => selectRealtimeState(root).connectionSince)
  const nextRetryAt = useSelector((root) => selectRealtimeState(root).nextRetryAt)
  const attempt = useSelector((root) => selectRealtimeState(root).attempt)
  const killed = connection === 'disabled'
  // The slice counts the retries already made; the one scheduled is the next (as the log numbers it).
  const retry =
    nextRetryAt !== null && nextRetryAt > now ? `, retry ${attempt + 1} in ${formatDuration(nextRetryAt - now)}` : ''

  return (
    <div style={styles.header}>
      <h2 id={titleId} style={styles.title}>
        Realtime
      </h2>
      {/* Only the state is live: the durations below change every second and would be announced each time.
          The state has a line of its own, so its changing length never rewraps the buttons. */}
      <span style={styles.status}>
        <span aria-hidden="true" style={{ color: connectionTone(connection) }}>
          ●{' '}
        </span>
        <span
          role="status"
          aria-live="polite"
          data-testid="connection-state"
          style={{ ...styles.badge, color: connectionTone(connection) }}
        >
          {connection}
        </span>
        <span style={styles.muted}>
          {since === null ? '' : ` for ${formatDuration(now - since)}`}
          {retry}
        </span>
      </span>
      <button
        type="button"
        style={styles.button}
        onClick={() => dispatch(realtime.actions.recover())}
        disabled={killed}
        title="Drop the socket and every channel now, then reconnect and refetch"
      >
        Recover now
      </button>
      <button
        type="button"
        role="switch"
        aria-checked={killed}
        style={{ ...styles.button, borderColor: killed ? '#f87171' : '#4b5563' }}
        onClick={() => dispatch(killed ? realtime.actions.enable() : realtime.actions.disable())}
        title="Kill switch: stop realtime and poll instead"
      >
        Kill switch<span aria-hidden="true">: {killed ? 'on' : 'off'}</span>
      </button>
      <button
        type="button"
        style={styles.button}
        aria-expanded={expanded}
        aria-controls={`${titleId}-details`}
        onClick={onToggle}
      >
        Details <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
      </button>
    </div>
  )
}
