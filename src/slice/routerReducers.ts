import type { PayloadAction } from '@reduxjs/toolkit'
import { recordSample, recordSamples } from './histogram'
import { recordLatency } from './historyReducers'
import { addPatchCounts, type PatchCounts } from './patchMetrics'
import type { RealtimeState } from './state'

/** Counters and latency samples of one router pass (patch-mode counters only when the pass patched). */
export interface RouterReport extends Partial<PatchCounts> {
  routed: number
  unmatched: number
  malformed: number
  issued: number
  coalesced: number
  /** Counts by kind (ROUTE_THREW, BAD_TAGS, …), added to `errorsByType`. */
  errors: Record<string, number>
  eventToInvalidationMs: number[]
  eventToRefetchMs: number[]
  /** When the pass ran (kept with its event→refetch samples for the debug panel's sparkline). */
  at?: number
}

/**
 * The router part of the slice: what the InvalidationRouter (`src/router/`) reports. Reducers
 * never read a clock.
 */
export const routerReducers = {
  pollCadenceChanged(state: RealtimeState, action: PayloadAction<{ intervalMs: number | null }>) {
    state.metrics.pollIntervalMs = action.payload.intervalMs
  },
  latencyRecorded(
    state: RealtimeState,
    action: PayloadAction<{ metric: 'eventToInvalidationMs' | 'eventToRefetchMs'; ms: number }>,
  ) {
    recordSample(state.metrics[action.payload.metric], action.payload.ms)
  },
  /** What the router did with one batch (counters are added, latencies recorded). */
  routerReported(state: RealtimeState, action: PayloadAction<RouterReport>) {
    const report = action.payload
    const metrics = state.metrics
    metrics.eventsRouted += report.routed
    metrics.eventsUnmatched += report.unmatched
    metrics.eventsMalformed += report.malformed
    metrics.invalidationsIssued += report.issued
    metrics.invalidationsCoalesced += report.coalesced
    for (const [kind, count] of Object.entries(report.errors))
      metrics.errorsByType[kind] = (metrics.errorsByType[kind] ?? 0) + count
    recordSamples(metrics.eventToInvalidationMs, report.eventToInvalidationMs)
    recordSamples(metrics.eventToRefetchMs, report.eventToRefetchMs)
    if (report.at !== undefined) recordLatency(state.history, report.at, report.eventToRefetchMs)
    addPatchCounts(metrics, report)
  },
  /** What the router did to reads (see `reads` in the options): counters are added. */
  readsReported(
    state: RealtimeState,
    action: PayloadAction<{ restarted?: number; timedOut?: number; heldRefetches?: number }>,
  ) {
    const { restarted = 0, timedOut = 0, heldRefetches = 0 } = action.payload
    state.metrics.readsRestarted += restarted
    state.metrics.readsTimedOut += timedOut
    state.metrics.heldInvalidationRefetches += heldRefetches
  },
  /** Realtime down > 60 s while visible with a slow poll cadence: the user should be told. */
  alertChanged(state: RealtimeState, action: PayloadAction<boolean>) {
    state.alert = action.payload
  },
}
