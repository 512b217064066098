import { useSelector } from 'react-redux'
import type { Realtime } from '../core/createRealtime'
import { connectionUptimeMs } from '../slice/selectors'
import type { CrossTabState } from '../slice/state'
import { formatAge, formatDuration, formatPercentiles } from './format'
import { styles } from './panelStyles'

function errorsByType(counts: Partial<Record<string, number>>): string {
  const entries = Object.entries(counts).filter(([, count]) => (count ?? 0) > 0)
  return entries.length === 0 ? 'none' : entries.map(([type, count]) => `${type} ${count}`).join(', ')
}

/** The slice's metrics as a definition list (derived figures from `selectMetrics`). */
function tabRole(crossTab: CrossTabState, now: number): string {
  const others = `${crossTab.peers} other tab${crossTab.peers === 1 ? '' : 's'}`
  if (crossTab.role === 'off') return 'off'
  if (crossTab.role === 'leader' && crossTab.leaderSince !== null)
    return `leader for ${formatDuration(now - crossTab.leaderSince)} · ${others}`
  return `${crossTab.role} · ${others}`
}

export function MetricsList({ realtime, now, headingId }: { realtime: Realtime; now: number; headingId: string }) {
  const metrics = useSelector(realtime.selectors.selectMetrics)
  const crossTab = useSelector(realtime.selectors.selectCrossTab)
  const subscribers = useSelector((root) =>
    Object.values(realtime.selectors.selectChannels(root)).reduce((sum, channel) => sum + channel.subscriberCount, 0),
  )
  const rows: Array<[string, string]> = [
    ['Uptime', formatDuration(connectionUptimeMs(metrics, now))],
    [
      'Reconnects',
      `${metrics.reconnections} (avg ${formatDuration(metrics.averageReconnectMs)}), ${metrics.peerReconnectWakeups} started early by another tab`,
    ],
    [
      'Channels',
      `${metrics.activeChannels} joined, ${subscribers} subscribers (${metrics.totalSubscriptions} subscriptions since start)`,
    ],
    ['Messages in / out', `${metrics.messagesReceived} / ${metrics.messagesSent}`],
    ['Last event', formatAge(metrics.lastEventAt, now)],
    [
      'Events routed',
      `${metrics.eventsRouted} (unmatched ${metrics.eventsUnmatched}, malformed ${metrics.eventsMalformed})`,
    ],
    ['Invalidations', `${metrics.invalidationsIssued} issued, ${metrics.invalidationsCoalesced} coalesced`],
    [
      'Gap catch-up',
      `${metrics.catchUpReplayed} replayed (${metrics.messagesReplayed} messages), ${metrics.catchUpInvalidated} refetched`,
    ],
    ['Rows patched', `${metrics.rowsPatched} (${metrics.patchesStale} stale, ${metrics.patchFallbacks} fell back)`],
    ['Event → invalidate P50/P95', formatPercentiles(metrics.eventToInvalidation.p50, metrics.eventToInvalidation.p95)],
    ['Event → refetch P50/P95', formatPercentiles(metrics.eventToRefetch.p50, metrics.eventToRefetch.p95)],
    [
      'Reads',
      `${metrics.readsRestarted} restarted, ${metrics.readsTimedOut} timed out, ${metrics.heldInvalidationRefetches} held refetched`,
    ],
    [
      'Silent',
      `${metrics.silencesDetected} dead sockets found, ${metrics.eventsMissed} events missed, ${metrics.sourcesSilenced} sources silenced`,
    ],
    [
      'Tokens',
      `${metrics.tokenExpiries} expired, ${metrics.tokenRefreshesAhead} refreshed ahead, ${metrics.tokenSourceFailures} source failures`,
    ],
    ['Frames malformed', String(metrics.framesMalformed)],
    ['Poll cadence', metrics.pollIntervalMs === null ? 'off' : `every ${formatDuration(metrics.pollIntervalMs)}`],
    ['Errors', errorsByType(metrics.errorsByType)],
    [
      'Server refusals',
      `${errorsByType(metrics.serverRefusals)} (${metrics.channelsOverCapacity} waited for a channel)`,
    ],
    ['This tab', tabRole(crossTab, now)],
    [
      'Tab relays',
      `${crossTab.relaysSent} sent, ${crossTab.relaysReceived} received (${crossTab.relaysApplied} applied), ${crossTab.relaysDropped} dropped`,
    ],
  ]
  return (
    <section aria-labelledby={headingId} style={styles.section}>
      <h3 id={headingId} style={styles.heading}>
        Metrics
      </h3>
      <dl style={styles.metrics}>
        {rows.map(([term, value]) => (
          <div key={term} style={{ display: 'contents' }}>
            <dt style={styles.term}>{term}</dt>
            <dd style={styles.definition}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  )
}
