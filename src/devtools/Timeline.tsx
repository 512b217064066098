import { useId } from 'react'
import { useSelector } from 'react-redux'
import type { Realtime } from '../core/createRealtime'
import type { ConnectionState } from '../policy/connectionTransition'
import type { TopicMode } from '../slice/historyReducers'
import { formatDuration } from './format'
import { connectionTone, styles, tone } from './panelStyles'
import { describeBands, timelineRows, type Band } from './timelineBands'

const WIDTH = 300
const HEIGHT = 10

/** Each mode has a colour and a fill pattern, so that no meaning rests on colour alone. */
const MODES: Record<TopicMode, { tone: string; pattern: 'solid' | 'dots' | 'stripes' | 'cross' }> = {
  live: { tone: tone.good, pattern: 'solid' },
  'catching-up': { tone: tone.busy, pattern: 'dots' },
  polling: { tone: tone.warn, pattern: 'stripes' },
  silent: { tone: tone.bad, pattern: 'cross' },
}

function Patterns({ id }: { id: string }) {
  return (
    <defs>
      {Object.entries(MODES).map(([mode, { tone: colour, pattern }]) => (
        <pattern key={mode} id={`${id}-${mode}`} width="4" height="4" patternUnits="userSpaceOnUse">
          <rect width="4" height="4" fill={pattern === 'solid' ? colour : '#111827'} />
          {pattern === 'dots' ? <circle cx="2" cy="2" r="1.2" fill={colour} /> : null}
          {pattern === 'stripes' || pattern === 'cross' ? (
            <path d="M0 4 L4 0" stroke={colour} strokeWidth="1.5" />
          ) : null}
          {pattern === 'cross' ? <path d="M0 0 L4 4" stroke={colour} strokeWidth="1.5" /> : null}
        </pattern>
      ))}
    </defs>
  )
}

function Strip<V extends string>(props: {
  label: string
  bands: ReadonlyArray<Band<V>>
  from: number
  to: number
  fill: (value: V) => string
}) {
  const span = Math.max(1, props.to - props.from)
  const x = (at: number) => ((at - props.from) / span) * WIDTH
  return (
    <div style={{ display: 'contents' }}>
      <span style={styles.term}>{props.label}</span>
      <svg
        role="img"
        aria-label={`${props.label}: ${describeBands(props.bands, formatDuration)}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        style={{ width: '100%', height: HEIGHT, background: '#1f2937' }}
      >
        {props.bands.map((band) => (
          <rect
            key={`${band.from}-${band.value}`}
            x={x(band.from)}
            width={Math.max(0.5, x(band.to) - x(band.from))}
            height={HEIGHT}
            fill={props.fill(band.value)}
          >
            <title>{`${band.value} for ${formatDuration(band.to - band.from)}`}</title>
          </rect>
        ))}
      </svg>
    </div>
  )
}

/**
 * The last five minutes as bands: the connection's state, and per topic `live`, `catching-up`,
 * `polling` or `silent` (each a colour and a pattern, named in the legend; each strip's text
 * equivalent is its accessible name). Reads `selectHistory` only.
 */
export function Timeline({ realtime, now, headingId }: { realtime: Realtime; now: number; headingId: string }) {
  const history = useSelector(realtime.selectors.selectHistory)
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, '')
  const rows = timelineRows(history, now)
  const modeFill = (mode: TopicMode) => `url(#${id}-${mode})`
  return (
    <section aria-labelledby={headingId} style={styles.section}>
      <h3 id={headingId} style={styles.heading}>
        Last 5 minutes
      </h3>
      <svg width="0" height="0" aria-hidden="true" style={{ position: 'absolute' }}>
        <Patterns id={id} />
      </svg>
      <div style={styles.metrics}>
        <Strip<ConnectionState>
          label="connection"
          bands={rows.connection}
          from={rows.from}
          to={rows.to}
          fill={connectionTone}
        />
        {rows.topics.map((row) => (
          <Strip<TopicMode>
            key={row.topic}
            label={row.topic}
            bands={row.bands}
            from={rows.from}
            to={rows.to}
            fill={modeFill}
          />
        ))}
      </div>
      <p style={{ ...styles.muted, margin: '4px 0 0' }}>
        {Object.keys(MODES).map((mode) => (
          <span key={mode} style={{ marginRight: 10, whiteSpace: 'nowrap' }}>
            <svg width="10" height="10" aria-hidden="true" style={{ verticalAlign: 'middle', marginRight: 3 }}>
              <rect width="10" height="10" fill={modeFill(mode as TopicMode)} />
            </svg>
            {mode}
          </span>
        ))}
      </p>
    </section>
  )
}
