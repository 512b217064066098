import type { HistoryState } from '../slice/historyReducers'

/** One bucket of the sparkline: the P50 and P95 of the samples measured in it (null: none). */
export interface LatencyPoint {
  from: number
  to: number
  count: number
  p50: number | null
  p95: number | null
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

/**
 * Event→refetch latency over the window before `now` in `buckets` equal buckets, each with the
 * nearest-rank P50 and P95 of its samples. Pure: the sparkline draws what this returns.
 */
export function latencySeries(history: HistoryState, now: number, windowMs: number, buckets: number): LatencyPoint[] {
  const from = now - windowMs
  const size = windowMs / buckets
  const samples: number[][] = Array.from({ length: buckets }, () => [])
  for (const { at, ms } of history.latency) {
    if (at < from || at > now) continue
    samples[Math.min(buckets - 1, Math.floor((at - from) / size))]!.push(ms)
  }
  return samples.map((list, index) => {
    const sorted = [...list].sort((a, b) => a - b)
    return {
      from: from + index * size,
      to: from + (index + 1) * size,
      count: sorted.length,
      p50: sorted.length === 0 ? null : quantile(sorted, 0.5),
      p95: sorted.length === 0 ? null : quantile(sorted, 0.95),
    }
  })
}

/**
 * An SVG path through the points that have a value (`M x y L x y …`), x across `width` by bucket
 * centre, y from `height` (0 ms) up to 0 (`maxMs`); a gap in the data starts a new segment.
 */
export function sparkPath(
  points: readonly LatencyPoint[],
  pick: (point: LatencyPoint) => number | null,
  width: number,
  height: number,
  maxMs: number,
): string {
  const step = width / Math.max(1, points.length)
  let path = ''
  let drawing = false
  points.forEach((point, index) => {
    const value = pick(point)
    if (value === null) {
      drawing = false
      return
    }
    const x = (index + 0.5) * step
    const y = height - (Math.min(value, maxMs) / Math.max(1, maxMs)) * height
    path += `${drawing ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)} `
    drawing = true
  })
  // A lone point is a segment of no length: a short stroke keeps it visible.
  return path.trim().replace(/M(\S+) (\S+)(?= M|$)/g, 'M$1 $2 h0.5')
}
