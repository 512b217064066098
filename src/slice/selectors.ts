import { createSelector } from '@reduxjs/toolkit'
import type { ConnectionState } from '../policy/connectionTransition'
import { alertOf, sameAlert, type RealtimeAlert } from './alertOf'
import { histogramQuantile, type Histogram } from './histogram'
import type { HistoryState } from './historyReducers'
import type { ChannelRecord, CrossTabState, ErrorRecord, MetricsState, RealtimeState } from './state'

/** Percentiles of a latency histogram, in ms (null before the first sample). */
export interface LatencySummary {
  count: number
  p50: number | null
  p95: number | null
  max: number | null
}

/** `MetricsState` plus the figures derived from it. */
export interface RealtimeMetrics extends Omit<MetricsState, 'eventToInvalidationMs' | 'eventToRefetchMs'> {
  averageReconnectMs: number | null
  activeChannels: number
  eventToInvalidation: LatencySummary
  eventToRefetch: LatencySummary
}

/** Uptime including the current connected period. */
export function connectionUptimeMs(metrics: Pick<MetricsState, 'uptimeMs' | 'connectedAt'>, now: number): number {
  return metrics.uptimeMs + (metrics.connectedAt === null ? 0 : Math.max(0, now - metrics.connectedAt))
}

function summarize(histogram: Histogram): LatencySummary {
  return {
    count: histogram.count,
    p50: histogramQuantile(histogram, 0.5),
    p95: histogramQuantile(histogram, 0.95),
    max: histogram.count === 0 ? null : histogram.max,
  }
}

/** The selectors of one realtime instance, reading the slice at `reducerPath` of the root state. */
export interface RealtimeSelectors {
  selectRealtimeState(root: unknown): RealtimeState
  selectConnectionState(root: unknown): ConnectionState
  selectChannels(root: unknown): Record<string, ChannelRecord>
  /** @example useSelector(realtime.selectors.selectChannel('project:1')) */
  selectChannel(topic: string): (root: unknown) => ChannelRecord | undefined
  /**
   * Counters and latency summaries. The router's counters (events routed, unmatched and
   * malformed, invalidations, patches, `errorsByType` of bad input) land one microtask after the
   * action that caused them: the router sends one report per turn of the event loop, so read
   * them after an `await`.
   * @example
   * await Promise.resolve() // the router's report of the last action lands on a microtask
   * const { eventsRouted, errorsByType } = realtime.selectors.selectMetrics(store.getState())
   */
  selectMetrics(root: unknown): RealtimeMetrics
  selectPollingInterval(root: unknown): number | null
  selectLastError(root: unknown): ErrorRecord | null
  selectRecentErrors(root: unknown): ErrorRecord[]
  /**
   * False while nothing needs telling; else why: `REALTIME_DOWN` (down over 60 s while visible,
   * polling slower than 10 s) or `REALTIME_SILENT` (connected, but a table or broadcast event of a
   * topic delivers no events: see {@link RealtimeSilentAlert}). Truthy exactly when the user should be told.
   * @example
   * const alert = useSelector(realtime.selectors.selectAlert)
   * if (alert && alert.type === 'REALTIME_SILENT') console.warn(`no events from ${alert.table} on ${alert.topic}`)
   */
  selectAlert(root: unknown): RealtimeAlert | false
  /**
   * The recent past, bounded, for drawing: the connection's and each topic's transitions
   * (`live`, `catching-up`, `polling`, `silent`) and event→refetch latency samples, oldest first.
   * @example
   * const { transitions } = useSelector(realtime.selectors.selectHistory)
   */
  selectHistory(root: unknown): HistoryState
  /** Cross-tab role and relay counters. @example useSelector(realtime.selectors.selectCrossTab).role // 'leader' */
  selectCrossTab(root: unknown): CrossTabState
}

export function createRealtimeSelectors(reducerPath: string): RealtimeSelectors {
  const selectRealtimeState = (root: unknown): RealtimeState => {
    const slice = (root as Record<string, RealtimeState | undefined>)[reducerPath]
    if (!slice) {
      throw new Error(
        `[RealtimeCore] no realtime state at "${reducerPath}": add realtime.reducer to the store under realtime.reducerPath`,
      )
    }
    return slice
  }
  const selectChannels = (root: unknown) => selectRealtimeState(root).channels
  const selectMetrics = createSelector(
    [(root: unknown) => selectRealtimeState(root).metrics, selectChannels],
    (metrics, channels): RealtimeMetrics => {
      const { eventToInvalidationMs, eventToRefetchMs, ...counters } = metrics
      return {
        ...counters,
        averageReconnectMs: metrics.reconnections === 0 ? null : metrics.reconnectTimeTotalMs / metrics.reconnections,
        activeChannels: Object.values(channels).filter((channel) => channel.state === 'subscribed').length,
        eventToInvalidation: summarize(eventToInvalidationMs),
        eventToRefetch: summarize(eventToRefetchMs),
      }
    },
  )
  return {
    selectRealtimeState,
    selectConnectionState: (root) => selectRealtimeState(root).connection,
    selectChannels,
    selectChannel: (topic) => (root) => selectRealtimeState(root).channels[topic],
    selectMetrics,
    selectPollingInterval: (root) => selectRealtimeState(root).metrics.pollIntervalMs,
    selectLastError: (root) => selectRealtimeState(root).lastError,
    selectRecentErrors: (root) => selectRealtimeState(root).recentErrors,
    selectAlert: createSelector(
      [
        (root: unknown) => selectRealtimeState(root).alert,
        (root: unknown) => selectRealtimeState(root).connection,
        (root: unknown) => selectRealtimeState(root).sources,
        selectChannels,
      ],
      (alert, connection, sources, channels) => alertOf({ alert, connection, sources, channels }),
      { memoizeOptions: { resultEqualityCheck: sameAlert } },
    ),
    selectCrossTab: (root) => selectRealtimeState(root).crossTab,
    selectHistory: (root) => selectRealtimeState(root).history,
  }
}
