import { current, isDraft } from '@reduxjs/toolkit'

/**
 * A serializable latency histogram with fixed log-spaced buckets (about 12% wide), so
 * that it fits in the store, merges by addition, and answers P50/P95 without keeping samples.
 */
export interface Histogram {
  /** counts[i] = samples ≤ HISTOGRAM_BOUNDS[i] and above the bound before it; the last bucket is open. */
  counts: number[]
  count: number
  sum: number
  max: number
}

const GROWTH = 1.12
const FIRST_BOUND_MS = 1
const LAST_BOUND_MS = 600_000

function buildBounds(): number[] {
  const bounds: number[] = []
  for (let bound = FIRST_BOUND_MS; bound < LAST_BOUND_MS; bound *= GROWTH) bounds.push(Math.round(bound * 100) / 100)
  bounds.push(LAST_BOUND_MS)
  return bounds
}

/** Upper bounds of the buckets, in ms. Samples above the last bound land in an overflow bucket. */
export const HISTOGRAM_BOUNDS: readonly number[] = buildBounds()

export function emptyHistogram(): Histogram {
  return { counts: new Array<number>(HISTOGRAM_BOUNDS.length + 1).fill(0), count: 0, sum: 0, max: 0 }
}

function bucketIndex(value: number): number {
  let low = 0
  let high = HISTOGRAM_BOUNDS.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (value <= (HISTOGRAM_BOUNDS[mid] as number)) high = mid
    else low = mid + 1
  }
  return low
}

/** Records one sample in place (for use inside Immer reducers). Negative or NaN samples are ignored. */
export function recordSample(histogram: Histogram, valueMs: number): void {
  if (!Number.isFinite(valueMs) || valueMs < 0) return
  const index = bucketIndex(valueMs)
  histogram.counts[index] = (histogram.counts[index] ?? 0) + 1
  histogram.count += 1
  histogram.sum += valueMs
  if (valueMs > histogram.max) histogram.max = valueMs
}

/** Below this many samples, recording one by one in the draft costs less than copying the buckets. */
const BULK_SAMPLES = 8

/**
 * Records samples in order, as {@link recordSample} one by one would. Inside an Immer reducer a
 * turn's worth of samples writes the bucket list once (a plain copy, then one assignment) instead
 * of going through the draft for every sample.
 */
export function recordSamples(histogram: Histogram, samples: readonly number[]): void {
  if (samples.length < BULK_SAMPLES) {
    for (const ms of samples) recordSample(histogram, ms)
    return
  }
  const base = isDraft(histogram) ? current(histogram) : histogram
  const next: Histogram = { counts: base.counts.slice(), count: base.count, sum: base.sum, max: base.max }
  for (const ms of samples) recordSample(next, ms)
  histogram.counts = next.counts
  histogram.count = next.count
  histogram.sum = next.sum
  histogram.max = next.max
}

/**
 * The value below which `quantile` (0–1) of samples fall, as the upper bound of the bucket
 * that holds it (never above the largest sample seen); null when empty.
 */
export function histogramQuantile(histogram: Histogram, quantile: number): number | null {
  if (histogram.count === 0) return null
  const rank = Math.max(1, Math.ceil(quantile * histogram.count))
  let seen = 0
  for (let i = 0; i < histogram.counts.length; i++) {
    seen += histogram.counts[i] ?? 0
    if (seen >= rank) return Math.min(HISTOGRAM_BOUNDS[i] ?? histogram.max, histogram.max)
  }
  return histogram.max
}
