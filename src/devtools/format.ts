/** Short human durations for a developer tool: `850 ms`, `12.3 s`, `4m 05s`, `2h 03m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  const value = Math.max(0, ms)
  if (value < 1000) return `${Math.round(value)} ms`
  if (value < 60_000) return `${(value / 1000).toFixed(1)} s`
  const seconds = Math.floor(value / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`
  const minutes = Math.floor(seconds / 60)
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`
}

/** How long ago `at` was, or `never`. */
export function formatAge(at: number | null | undefined, now: number): string {
  if (at === null || at === undefined) return 'never'
  return `${formatDuration(now - at)} ago`
}

/** A latency pair, `P50 / P95`. */
export function formatPercentiles(p50: number | null, p95: number | null): string {
  if (p50 === null || p95 === null) return '—'
  return `${formatDuration(p50)} / ${formatDuration(p95)}`
}
