import { createNextState } from '@reduxjs/toolkit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  emptyHistogram,
  HISTOGRAM_BOUNDS,
  histogramQuantile,
  recordSample,
  recordSamples,
  type Histogram,
} from '../../src/slice/histogram'

/** One bucket: bounds grow by 12% (a little more where rounding to 0.01 ms bites). */
const BUCKET_WIDTH = 1.125

function histogramOf(samples: number[]): Histogram {
  const histogram = emptyHistogram()
  for (const sample of samples) recordSample(histogram, sample)
  return histogram
}

/** The nearest-rank quantile of the raw samples, what the histogram approximates. */
function exactQuantile(samples: number[], quantile: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil(quantile * sorted.length))
  return sorted[rank - 1] as number
}

const oneToThousand = Array.from({ length: 1000 }, (_, i) => i + 1)

describe('HISTOGRAM_BOUNDS', () => {
  it('starts at 1 ms and ends at 600000 ms', () => {
    expect(HISTOGRAM_BOUNDS[0]).toBe(1)
    expect(HISTOGRAM_BOUNDS[HISTOGRAM_BOUNDS.length - 1]).toBe(600_000)
  })

  it('grows strictly, by no more than one bucket width from one bound to the next', () => {
    for (let i = 1; i < HISTOGRAM_BOUNDS.length; i++) {
      const ratio = (HISTOGRAM_BOUNDS[i] as number) / (HISTOGRAM_BOUNDS[i - 1] as number)
      expect(ratio).toBeGreaterThan(1)
      expect(ratio).toBeLessThanOrEqual(BUCKET_WIDTH)
    }
  })

  it('keeps the histogram small enough to live in the store', () => {
    expect(HISTOGRAM_BOUNDS.length).toBeLessThan(150)
    expect(emptyHistogram().counts).toHaveLength(HISTOGRAM_BOUNDS.length + 1)
  })
})

describe('histogramQuantile', () => {
  it('answers null for an empty histogram', () => {
    expect(histogramQuantile(emptyHistogram(), 0.5)).toBeNull()
    expect(histogramQuantile(emptyHistogram(), 0.95)).toBeNull()
  })

  it('puts p50 of 1..1000 ms within one bucket above 500 ms', () => {
    const p50 = histogramQuantile(histogramOf(oneToThousand), 0.5) as number
    expect(p50).toBeGreaterThanOrEqual(500)
    expect(p50).toBeLessThanOrEqual(500 * BUCKET_WIDTH)
  })

  it('puts p95 of 1..1000 ms within one bucket above 950 ms', () => {
    const p95 = histogramQuantile(histogramOf(oneToThousand), 0.95) as number
    expect(p95).toBeGreaterThanOrEqual(950)
    expect(p95).toBeLessThanOrEqual(950 * BUCKET_WIDTH)
  })

  it('answers the largest sample for p100 of 1..1000 ms', () => {
    expect(histogramQuantile(histogramOf(oneToThousand), 1)).toBe(1000)
  })

  it('does not depend on the order samples arrive in', () => {
    const reversed = histogramOf([...oneToThousand].reverse())
    expect(reversed).toEqual(histogramOf(oneToThousand))
  })

  it('answers the sample itself when every sample is the same', () => {
    const histogram = histogramOf([250, 250, 250])
    expect(histogramQuantile(histogram, 0.5)).toBe(250)
    expect(histogramQuantile(histogram, 0.95)).toBe(250)
  })

  it('answers 0 when every sample is 0 ms', () => {
    expect(histogramQuantile(histogramOf([0, 0]), 0.5)).toBe(0)
  })

  it('treats quantile 0 as the smallest sample’s bucket', () => {
    const q0 = histogramQuantile(histogramOf([10, 1000, 100_000]), 0) as number
    expect(q0).toBeGreaterThanOrEqual(10)
    expect(q0).toBeLessThanOrEqual(10 * BUCKET_WIDTH)
  })

  it('never answers above the largest sample', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 2_000_000, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (samples, quantile) => {
          const histogram = histogramOf(samples)
          expect(histogramQuantile(histogram, quantile) as number).toBeLessThanOrEqual(Math.max(...samples))
        },
      ),
    )
  })

  it('answers at or above the exact quantile and within one bucket of it for samples of 1–600000 ms', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 600_000, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99),
        (samples, quantile) => {
          const exact = exactQuantile(samples, quantile)
          const answer = histogramQuantile(histogramOf(samples), quantile) as number
          expect(answer).toBeGreaterThanOrEqual(exact)
          expect(answer).toBeLessThanOrEqual(exact * BUCKET_WIDTH)
        },
      ),
    )
  })
})

describe('recordSample', () => {
  it('counts, sums and tracks the maximum', () => {
    const histogram = histogramOf([5, 50, 20])
    expect(histogram.count).toBe(3)
    expect(histogram.sum).toBe(75)
    expect(histogram.max).toBe(50)
  })

  it('ignores negative samples', () => {
    const histogram = histogramOf([-1, -500])
    expect(histogram).toEqual(emptyHistogram())
    expect(histogramQuantile(histogram, 0.5)).toBeNull()
  })

  it('ignores NaN and infinite samples', () => {
    const histogram = histogramOf([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 10])
    expect(histogram.count).toBe(1)
    expect(histogram.sum).toBe(10)
    expect(histogram.max).toBe(10)
  })

  it('puts a sample equal to a bound in that bound’s bucket', () => {
    const histogram = histogramOf([HISTOGRAM_BOUNDS[10] as number])
    expect(histogram.counts[10]).toBe(1)
  })

  it('puts a sample just above a bound in the next bucket', () => {
    const histogram = histogramOf([(HISTOGRAM_BOUNDS[10] as number) + 0.001])
    expect(histogram.counts[11]).toBe(1)
  })

  it('keeps 600000 ms in the last bounded bucket', () => {
    const histogram = histogramOf([600_000])
    expect(histogram.counts[HISTOGRAM_BOUNDS.length - 1]).toBe(1)
    expect(histogram.counts[HISTOGRAM_BOUNDS.length]).toBe(0)
  })

  it('puts samples beyond 600000 ms in the overflow bucket and answers their maximum', () => {
    const histogram = histogramOf([700_000, 900_000])
    expect(histogram.counts[HISTOGRAM_BOUNDS.length]).toBe(2)
    expect(histogram.max).toBe(900_000)
    expect(histogramQuantile(histogram, 0.5)).toBe(900_000)
    expect(histogramQuantile(histogram, 0.95)).toBe(900_000)
  })

  it('keeps every count in the counts array (counts add up to count)', () => {
    const histogram = histogramOf([0, 0.5, 1, 3, 999, 600_000, 600_001, 5_000_000])
    expect(histogram.counts.reduce((a, b) => a + b, 0)).toBe(histogram.count)
    expect(histogram.count).toBe(8)
  })

  it('stays plain data that survives a JSON round trip', () => {
    const histogram = histogramOf(oneToThousand)
    expect(JSON.parse(JSON.stringify(histogram))).toEqual(histogram)
  })
})

describe('recordSamples', () => {
  const samples = fc.array(fc.oneof(fc.double({ min: -10, max: 2_000_000 }), fc.constant(Number.NaN)), {
    maxLength: 40,
  })

  it('records a run of samples exactly as recording them one by one does', () => {
    fc.assert(
      fc.property(samples, samples, (before, run) => {
        const bulk = histogramOf(before)
        recordSamples(bulk, run)
        expect(bulk).toEqual(histogramOf([...before, ...run]))
      }),
    )
  })

  it('records a run of samples into an Immer draft as one by one does', () => {
    fc.assert(
      fc.property(samples, samples, (before, run) => {
        const base = histogramOf(before)
        const next = createNextState(base, (draft) => recordSamples(draft, run))
        expect(next).toEqual(histogramOf([...before, ...run]))
        expect(base).toEqual(histogramOf(before))
      }),
    )
  })
})
