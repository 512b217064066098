import { useSelector } from 'react-redux'
import type { Realtime } from '../core/createRealtime'
import { formatAge } from './format'
import { styles, tone } from './panelStyles'

/** The last errors, newest first: type, message (never row data or tokens), topic and age. */
export function RecentErrors({
  realtime,
  now,
  limit,
  headingId,
}: {
  realtime: Realtime
  now: number
  limit: number
  headingId: string
}) {
  const errors = useSelector(realtime.selectors.selectRecentErrors).slice(0, limit)
  return (
    <section aria-labelledby={headingId} style={styles.section}>
      <h3 id={headingId} style={styles.heading}>
        Last errors
      </h3>
      {errors.length === 0 ? (
        <p style={{ ...styles.muted, margin: 0 }}>None</p>
      ) : (
        <ol style={styles.errorList}>
          {errors.map((error, index) => (
            <li key={`${error.at}-${index}`}>
              <span style={{ color: tone.bad }}>{error.type}</span> {error.message}
              <span style={styles.muted}>
                {error.topic ? ` · ${error.topic}` : ''} · {formatAge(error.at, now)}
                {error.retryable ? '' : ' · not retried'}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
