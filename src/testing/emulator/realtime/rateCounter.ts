/** The real server's RateCounter: counts are read every 5 s into a list of the last 12 (a minute). */
export const RATE_TICK_MS = 5_000
const MAX_BUCKETS = 12

/**
 * A per-second rate as Supabase Realtime's RateCounter measures it: every {@link RATE_TICK_MS}
 * the count since the last tick joins a list of at most 12, and the average is their sum over
 * their number, per second. The limit triggers at a tick whose average reaches it and stays
 * triggered until a tick's average falls below it. Ticks are computed from the clock when the
 * counter is read, so no timer runs.
 */
export interface RateCounter {
  add(now: number): void
  /** Whether the limit is triggered as of `now`. */
  triggered(now: number): boolean
  /** The average per second as of the last tick. */
  average(now: number): number
}

export function createRateCounter(limitPerSecond: number): RateCounter {
  let startedAt: number | null = null
  let ticks = 0
  let count = 0
  let buckets: number[] = []
  let average = 0
  let triggered = false

  const advance = (now: number): void => {
    startedAt ??= now
    const due = Math.floor((now - startedAt) / RATE_TICK_MS)
    // After a minute of ticks every bucket is the same: a longer idle stretch is a minute's worth.
    const steps = Math.min(due - ticks, MAX_BUCKETS + 1)
    for (let step = 0; step < steps; step++) {
      buckets = [count, ...buckets].slice(0, MAX_BUCKETS)
      count = 0
      average = buckets.reduce((sum, value) => sum + value, 0) / buckets.length / (RATE_TICK_MS / 1000)
      triggered = average >= limitPerSecond
    }
    ticks = Math.max(ticks, due)
  }

  return {
    add(now) {
      advance(now)
      count++
    },
    triggered(now) {
      advance(now)
      return triggered
    },
    average(now) {
      advance(now)
      return average
    },
  }
}
