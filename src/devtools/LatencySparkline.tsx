import { useSelector } from 'react-redux'
import type { Realtime } from '../core/createRealtime'
import { formatDuration } from './format'
import { latencySeries, sparkPath } from './latencySeries'
import { styles, tone } from './panelStyles'
import { TIMELINE_WINDOW_MS } from './timelineBands'

const WIDTH = 300
const HEIGHT = 30
const BUCKETS = 20

/**
 * Event→refetch latency over the last five minutes: the P50 (solid) and P95 (dashed) of each
 * 15 s bucket, scaled to the largest P95; its accessible name says the latest figures. Reads
 * `selectHistory` only.
 */
export function LatencySparkline({ realtime, now, headingId }: { realtime: Realtime; now: number; headingId: string }) {
  const history = useSelector(realtime.selectors.selectHistory)
  const points = latencySeries(history, now, TIMELINE_WINDOW_MS, BUCKETS)
  const maxMs = Math.max(1, ...points.map((point) => point.p95 ?? 0))
  const latest = [...points].reverse().find((point) => point.count > 0)
  const samples = points.reduce((sum, point) => sum + point.count, 0)
  const summary = latest
    ? `latest P50 ${formatDuration(latest.p50)}, P95 ${formatDuration(latest.p95)}; ${samples} samples, peak P95 ${formatDuration(maxMs)}`
    : 'no samples in the last 5 minutes'
  return (
    <section aria-labelledby={headingId} style={styles.section}>
      <h3 id={headingId} style={styles.heading}>
        Event → refetch
      </h3>
      <svg
        role="img"
        aria-label={`Event to refetch latency, last 5 minutes: ${summary}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        style={{ width: '100%', height: HEIGHT, background: '#1f2937' }}
      >
        <path
          d={sparkPath(points, (point) => point.p95, WIDTH, HEIGHT, maxMs)}
          fill="none"
          stroke={tone.busy}
          strokeWidth="1.5"
          strokeDasharray="4 2"
          strokeLinecap="round"
        />
        <path
          d={sparkPath(points, (point) => point.p50, WIDTH, HEIGHT, maxMs)}
          fill="none"
          stroke={tone.good}
          strokeWidth="1.5"
          strokeLinecap="round"
        />
      </svg>
      <p style={{ ...styles.muted, margin: '2px 0 0' }}>— P50 · - - P95 · {summary}</p>
    </section>
  )
}
