import type { RouterReport } from '../slice/realtimeSlice'

/** A report with nothing in it yet. @internal */
export function emptyReport(): RouterReport {
  return {
    routed: 0,
    unmatched: 0,
    malformed: 0,
    issued: 0,
    coalesced: 0,
    errors: {},
    eventToInvalidationMs: [],
    eventToRefetchMs: [],
  }
}

function isEmpty(report: RouterReport): boolean {
  return (
    report.routed + report.unmatched + report.malformed + report.issued + report.coalesced === 0 &&
    report.eventToRefetchMs.length === 0 &&
    Object.keys(report.errors).length === 0 &&
    report.rowsPatched === undefined &&
    report.patchFallbacks === undefined &&
    report.patchesStale === undefined
  )
}

function addCounts(into: Record<string, number>, from: Record<string, number> | undefined): void {
  for (const [key, count] of Object.entries(from ?? {})) into[key] = (into[key] ?? 0) + count
}

/** Adds `from` into `into` (counters summed, samples appended). */
function merge(into: RouterReport, from: RouterReport): void {
  into.routed += from.routed
  into.unmatched += from.unmatched
  into.malformed += from.malformed
  into.issued += from.issued
  into.coalesced += from.coalesced
  addCounts(into.errors, from.errors)
  // The latest time stamp dates the turn's samples (the panel's latency history).
  if (from.at !== undefined) into.at = from.at
  for (const ms of from.eventToInvalidationMs) into.eventToInvalidationMs.push(ms)
  for (const ms of from.eventToRefetchMs) into.eventToRefetchMs.push(ms)
  if (from.rowsPatched !== undefined) into.rowsPatched = (into.rowsPatched ?? 0) + from.rowsPatched
  if (from.patchesStale !== undefined) into.patchesStale = (into.patchesStale ?? 0) + from.patchesStale
  if (from.patchFallbacks !== undefined) into.patchFallbacks = (into.patchFallbacks ?? 0) + from.patchFallbacks
  if (from.patchFallbacksByReason !== undefined) {
    into.patchFallbacksByReason ??= {}
    addCounts(into.patchFallbacksByReason, from.patchFallbacksByReason)
  }
}

/**
 * Collects the router's reports of one turn of the event loop and sends them to the slice as one
 * `routerReported` on a microtask: a run of single-event actions (the first event after each
 * quiet frame goes out alone) costs one metrics update, not one per event. Nothing is lost: every
 * report is added, and `flush()` sends what is waiting at once (on stop).
 * @internal
 */
export function createReportBuffer(send: (report: RouterReport) => void) {
  let pending: RouterReport | null = null
  const flush = (): void => {
    const report = pending
    pending = null
    if (report && !isEmpty(report)) send(report)
  }
  /** The report of this turn, to add counts to in place (one allocation per turn, not per pass). */
  const current = (): RouterReport => {
    if (pending) return pending
    pending = emptyReport()
    queueMicrotask(flush)
    return pending
  }
  return {
    current,
    add(report: RouterReport): void {
      merge(current(), report)
    },
    flush,
  }
}
