import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSeededRandom, type Random } from '../../src/env/random'
import {
  backoffCeiling,
  DEFAULT_RETRY,
  nextRetryDelay,
  retryDelay,
  suspendedRetryDelay,
  type RetryOptions,
} from '../../src/policy/backoff'

const fixed =
  (value: number): Random =>
  () =>
    value

/** min(30000, 1000·2^attempt) for DEFAULT_RETRY, written out. */
const DEFAULT_CEILINGS: ReadonlyArray<readonly [attempt: number, ceiling: number]> = [
  [0, 1000],
  [1, 2000],
  [2, 4000],
  [3, 8000],
  [4, 16000],
  [5, 30000],
  [6, 30000],
  [7, 30000],
  [8, 30000],
  [9, 30000],
  [10, 30000],
]

describe('DEFAULT_RETRY', () => {
  it('matches the policy of DESIGN.md §4', () => {
    expect(DEFAULT_RETRY).toEqual({
      maxRetries: 3,
      baseDelay: 1000,
      maxDelay: 30000,
      backoffMultiplier: 2,
      suspendedRetryMs: 10000,
    })
  })

  it('is frozen so that no caller can change the defaults of every other instance', () => {
    expect(Object.isFrozen(DEFAULT_RETRY)).toBe(true)
  })
})

describe('backoffCeiling', () => {
  it.each(DEFAULT_CEILINGS)('caps retry %i at %i ms', (attempt, ceiling) => {
    expect(backoffCeiling(attempt, DEFAULT_RETRY)).toBe(ceiling)
  })

  it('stays 0 for a zero baseDelay however large the attempt (never NaN)', () => {
    const retry: RetryOptions = { ...DEFAULT_RETRY, baseDelay: 0, maxDelay: 0 }
    expect(backoffCeiling(2000, retry)).toBe(0)
    expect(retryDelay(2000, { ...retry, maxRetries: 5000 }, fixed(0.5))).toBe(0)
  })

  it('stays at maxDelay when multiplier^attempt overflows to Infinity', () => {
    expect(backoffCeiling(2000, DEFAULT_RETRY)).toBe(30000)
  })

  it('treats a negative attempt as the first retry', () => {
    expect(backoffCeiling(-3, DEFAULT_RETRY)).toBe(1000)
  })
})

describe('retryDelay with fixed randoms', () => {
  it.each(DEFAULT_CEILINGS)('schedules retry %i at 0 ms when the random source yields 0', (attempt) => {
    expect(retryDelay(attempt, DEFAULT_RETRY, fixed(0))).toBe(0)
  })

  it.each(DEFAULT_CEILINGS)(
    'schedules retry %i at half of its %i ms ceiling when the random source yields 0.5',
    (attempt, ceiling) => {
      expect(retryDelay(attempt, DEFAULT_RETRY, fixed(0.5))).toBe(ceiling / 2)
    },
  )

  it.each(DEFAULT_CEILINGS)(
    'schedules retry %i at its %i ms ceiling (rounded) when the random source yields 0.999999',
    (attempt, ceiling) => {
      const delay = retryDelay(attempt, DEFAULT_RETRY, fixed(0.999999))
      expect(delay).toBeLessThanOrEqual(ceiling)
      expect(delay).toBeGreaterThanOrEqual(ceiling - 1)
    },
  )

  it('never rounds past a fractional ceiling (retry 5 with multiplier 1.5 stays ≤ 7593.75 ms)', () => {
    const retry: RetryOptions = { ...DEFAULT_RETRY, backoffMultiplier: 1.5 }
    expect(backoffCeiling(5, retry)).toBe(7593.75)
    expect(retryDelay(5, retry, fixed(0.99999))).toBe(7593)
  })

  it('returns whole milliseconds', () => {
    expect(Number.isInteger(retryDelay(2, DEFAULT_RETRY, fixed(0.123456789)))).toBe(true)
  })
})

describe('retryDelay with a seeded random', () => {
  it.each(DEFAULT_CEILINGS)('schedules retry %i within [0, %i] ms across 500 seeded draws', (attempt, ceiling) => {
    const random = createSeededRandom(1000 + attempt)
    for (let draw = 0; draw < 500; draw++) {
      const delay = retryDelay(attempt, DEFAULT_RETRY, random)
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThanOrEqual(ceiling)
    }
  })

  it('uses the whole jitter window rather than a narrow band of it', () => {
    const random = createSeededRandom(7)
    const delays = Array.from({ length: 500 }, () => retryDelay(3, DEFAULT_RETRY, random))
    expect(Math.min(...delays)).toBeLessThan(800)
    expect(Math.max(...delays)).toBeGreaterThan(7200)
  })

  it('reproduces the same delays from the same seed', () => {
    const run = (seed: number) => {
      const random = createSeededRandom(seed)
      return Array.from({ length: 20 }, (_, attempt) => nextRetryDelay(attempt, DEFAULT_RETRY, random))
    }
    expect(run(42)).toEqual(run(42))
    expect(run(42)).not.toEqual(run(43))
  })
})

describe('suspendedRetryDelay', () => {
  it('waits half of suspendedRetryMs when the random source yields 0', () => {
    expect(suspendedRetryDelay(DEFAULT_RETRY, fixed(0))).toBe(5000)
  })

  it('waits exactly suspendedRetryMs when the random source yields 0.5', () => {
    expect(suspendedRetryDelay(DEFAULT_RETRY, fixed(0.5))).toBe(10000)
  })

  it('waits at most one and a half suspendedRetryMs when the random source yields 0.999999', () => {
    const delay = suspendedRetryDelay(DEFAULT_RETRY, fixed(0.999999))
    expect(delay).toBeLessThanOrEqual(15000)
    expect(delay).toBeGreaterThanOrEqual(14999)
  })

  it('stays ≤ 1.5 × an odd suspendedRetryMs even when 0.5 + random() rounds up to 1.5', () => {
    const largestBelowOne = 1 - 2 ** -53
    expect(0.5 + largestBelowOne).toBe(1.5)
    expect(suspendedRetryDelay({ ...DEFAULT_RETRY, suspendedRetryMs: 10001 }, fixed(largestBelowOne))).toBe(15001)
  })

  it('stays ≥ 0.5 × a fractional suspendedRetryMs when the random source yields 0', () => {
    expect(suspendedRetryDelay({ ...DEFAULT_RETRY, suspendedRetryMs: 2.6 }, fixed(0))).toBe(2)
  })

  it('stays within [5000, 15000] ms across 1000 seeded draws', () => {
    const random = createSeededRandom(99)
    for (let draw = 0; draw < 1000; draw++) {
      const delay = suspendedRetryDelay(DEFAULT_RETRY, random)
      expect(delay).toBeGreaterThanOrEqual(5000)
      expect(delay).toBeLessThanOrEqual(15000)
    }
  })
})

describe('nextRetryDelay', () => {
  it.each([
    [0, 'backoff', 500],
    [1, 'backoff', 1000],
    [2, 'backoff', 2000],
    [3, 'suspended', 10000],
    [4, 'suspended', 10000],
    [10, 'suspended', 10000],
  ] as const)('treats retry %i as %s with maxRetries 3 (%i ms at random 0.5)', (attempt, _phase, expected) => {
    expect(nextRetryDelay(attempt, DEFAULT_RETRY, fixed(0.5))).toBe(expected)
  })

  it('switches to the suspended cadence exactly at maxRetries', () => {
    const retry: RetryOptions = { ...DEFAULT_RETRY, maxRetries: 5, suspendedRetryMs: 60000 }
    expect(nextRetryDelay(4, retry, fixed(0))).toBe(0)
    expect(nextRetryDelay(5, retry, fixed(0))).toBe(30000)
  })

  it('goes straight to the suspended cadence when maxRetries is 0', () => {
    expect(nextRetryDelay(0, { ...DEFAULT_RETRY, maxRetries: 0 }, fixed(0))).toBe(5000)
  })
})

describe('backoff properties', () => {
  // Everything createRealtime's option validation accepts (src/core/options.ts): fractional
  // milliseconds included, baseDelay ≥ 0, maxDelay ≥ baseDelay, multiplier ≥ 1, suspendedRetryMs ≥ 1.
  const retryOptions: fc.Arbitrary<RetryOptions> = fc
    .record({
      maxRetries: fc.integer({ min: 0, max: 5000 }),
      baseDelay: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 60_000, noNaN: true }),
      ),
      extraDelay: fc.oneof(fc.integer({ min: 0, max: 600_000 }), fc.double({ min: 0, max: 600_000, noNaN: true })),
      backoffMultiplier: fc.oneof(fc.constantFrom(1, 1.5, 2, 3), fc.double({ min: 1, max: 10, noNaN: true })),
      suspendedRetryMs: fc.oneof(
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 1, max: 600_000, noNaN: true }),
      ),
    })
    .map(({ extraDelay, ...retry }) => ({ ...retry, maxDelay: retry.baseDelay + extraDelay }))
  const attempts = fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 5000 }))
  const unitInterval = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })

  it('keeps every backoff delay within [0, min(maxDelay, baseDelay·multiplier^attempt)]', () => {
    fc.assert(
      fc.property(retryOptions, attempts, unitInterval, (retry, attempt, value) => {
        // Mathematically 0 · multiplier^attempt is 0, even where floating point overflows to 0 · Infinity.
        const grown = retry.baseDelay === 0 ? 0 : retry.baseDelay * Math.pow(retry.backoffMultiplier, attempt)
        const ceiling = Math.min(retry.maxDelay, grown)
        expect(backoffCeiling(attempt, retry)).toBe(ceiling)
        const delay = retryDelay(attempt, retry, fixed(value))
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThanOrEqual(ceiling)
      }),
      { numRuns: 2000 },
    )
  })

  it('keeps every suspended delay within [0.5, 1.5] × suspendedRetryMs', () => {
    fc.assert(
      fc.property(retryOptions, unitInterval, (retry, value) => {
        const delay = suspendedRetryDelay(retry, fixed(value))
        expect(delay).toBeGreaterThanOrEqual(0.5 * retry.suspendedRetryMs)
        expect(delay).toBeLessThanOrEqual(1.5 * retry.suspendedRetryMs)
      }),
      { numRuns: 2000 },
    )
  })

  it('picks the backoff window before maxRetries and the suspended window from it on', () => {
    fc.assert(
      fc.property(retryOptions, attempts, fc.integer(), (retry, attempt, seed) => {
        const delay = nextRetryDelay(attempt, retry, createSeededRandom(seed))
        if (attempt < retry.maxRetries) {
          expect(delay).toBeGreaterThanOrEqual(0)
          expect(delay).toBeLessThanOrEqual(backoffCeiling(attempt, retry))
        } else {
          expect(delay).toBeGreaterThanOrEqual(0.5 * retry.suspendedRetryMs)
          expect(delay).toBeLessThanOrEqual(1.5 * retry.suspendedRetryMs)
        }
      }),
      { numRuns: 2000 },
    )
  })
})

describe('a reconnect storm', () => {
  const CLIENTS = 200
  const BUCKET_MS = 100

  function peakPerBucket(delays: number[]): number {
    const buckets = new Map<number, number>()
    for (const delay of delays) {
      const bucket = Math.floor(delay / BUCKET_MS)
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1)
    }
    return Math.max(...buckets.values())
  }

  it('spreads 200 clients dropped together so that no 100 ms bucket holds more than 40 first retries', () => {
    // Each client has its own random source, as each browser would. Attempt 0 draws from
    // [0, 1000] ms: ten 100 ms buckets, 20 clients each on average. Binomial(200, 0.1) has a
    // standard deviation of about 4.2, so 40 is more than four deviations above the mean.
    const delays = Array.from({ length: CLIENTS }, (_, client) =>
      retryDelay(0, DEFAULT_RETRY, createSeededRandom(client + 1)),
    )
    expect(peakPerBucket(delays)).toBeLessThanOrEqual(40)
    // Every 100 ms of the window is used.
    const used = new Set(delays.map((delay) => Math.min(9, Math.floor(delay / BUCKET_MS))))
    expect(used.size).toBe(10)
  })

  it('gives clients with independent random sources distinct retry times instead of one lockstep time', () => {
    // Stock supabase-js retries at a fixed 1 s: all 200 clients would share one time, one bucket.
    const delays = Array.from({ length: CLIENTS }, (_, client) =>
      retryDelay(0, DEFAULT_RETRY, createSeededRandom(client + 1)),
    )
    expect(new Set(delays).size).toBeGreaterThan(150)
  })
})
