import { useId, useState, type CSSProperties } from 'react'
import { useSelector } from 'react-redux'
import { useRealtime } from '../react/RealtimeProvider'
import { ChannelsTable } from './ChannelsTable'
import { ConnectionHeader } from './ConnectionHeader'
import { LatencySparkline } from './LatencySparkline'
import { MetricsList } from './MetricsList'
import { styles } from './panelStyles'
import { RecentErrors } from './RecentErrors'
import { Timeline } from './Timeline'
import { useNow } from './useNow'

/** Props of {@link RealtimeDebugPanel}. */
export interface RealtimeDebugPanelProps {
  /** Start with the channels, metrics and errors shown. Default true. */
  defaultExpanded?: boolean
  /** How many of the last errors to list. Default 5. */
  maxErrors?: number
  className?: string
  /** Merged over the panel's own style (e.g. `{ position: 'fixed', right: 8, bottom: 8 }` to dock it). */
  style?: CSSProperties
}

/**
 * A compact view of the realtime layer for developers: the connection state and how long it
 * has been in it, every channel, a timeline of the last five minutes (the connection, and each
 * topic live, catching up, polling or silent), an event→refetch latency sparkline, the metrics,
 * the last errors, and "Recover now" and the kill switch. It reads only selectors, and shows no row data or tokens. Needs react-redux's
 * `<Provider>` and a `<RealtimeProvider>` above it.
 *
 * @example
 * {import.meta.env.DEV && <RealtimeDebugPanel style={{ position: 'fixed', right: 8, bottom: 8 }} />}
 */
export function RealtimeDebugPanel({
  defaultExpanded = true,
  maxErrors = 5,
  className,
  style,
}: RealtimeDebugPanelProps) {
  const realtime = useRealtime()
  const since = useSelector((root) => realtime.selectors.selectRealtimeState(root).connectionSince)
  const now = useNow(realtime.env.clock, 1000, since)
  const [expanded, setExpanded] = useState(defaultExpanded)
  const id = useId()
  const alert = useSelector(realtime.selectors.selectAlert)

  return (
    <section
      aria-labelledby={`${id}-title`}
      className={className}
      style={{ ...styles.panel, ...style }}
      data-testid="realtime-debug-panel"
    >
      <ConnectionHeader
        realtime={realtime}
        now={now}
        titleId={`${id}-title`}
        expanded={expanded}
        onToggle={() => setExpanded((value) => !value)}
      />
      {alert ? (
        <p role="alert" style={styles.alert}>
          {alert.type === 'REALTIME_SILENT'
            ? `Realtime is connected but ${alert.table ?? `broadcast ${alert.event ?? ''}`} on ${alert.topic} delivers no events: polling it. Check the publication, RLS and triggers.`
            : 'Realtime has been down for over a minute and polling is slow: data may be stale.'}
        </p>
      ) : null}
      {/* Collapsed, the details are not rendered at all (no selector work, no per-second redraw). */}
      <div id={`${id}-title-details`} hidden={!expanded}>
        {expanded ? (
          <>
            <div style={styles.section}>
              <ChannelsTable realtime={realtime} now={now} />
            </div>
            <Timeline realtime={realtime} now={now} headingId={`${id}-timeline`} />
            <LatencySparkline realtime={realtime} now={now} headingId={`${id}-latency`} />
            <MetricsList realtime={realtime} now={now} headingId={`${id}-metrics`} />
            <RecentErrors realtime={realtime} now={now} limit={maxErrors} headingId={`${id}-errors`} />
          </>
        ) : null}
      </div>
    </section>
  )
}
