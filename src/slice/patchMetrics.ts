import type { MetricsState } from './state'

/** The patch-mode counters of the metrics, as a router pass reports them. */
export type PatchCounts = Pick<
  MetricsState,
  'rowsPatched' | 'patchesStale' | 'patchFallbacks' | 'patchFallbacksByReason'
>

/** A count as reported, or 0 for anything that is not one (anyone can dispatch `routerReported`). */
function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}

/** Adds one pass's patch counters (absent ones count 0) to the metrics (an immer draft). */
export function addPatchCounts(metrics: MetricsState, report: Partial<PatchCounts>): void {
  metrics.rowsPatched += countOf(report.rowsPatched)
  metrics.patchesStale += countOf(report.patchesStale)
  metrics.patchFallbacks += countOf(report.patchFallbacks)
  const byReason = report.patchFallbacksByReason
  if (typeof byReason !== 'object' || byReason === null) return
  for (const [reason, count] of Object.entries(byReason)) {
    const added = countOf(count)
    if (added > 0) metrics.patchFallbacksByReason[reason] = (metrics.patchFallbacksByReason[reason] ?? 0) + added
  }
}
