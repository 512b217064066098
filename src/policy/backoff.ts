import type { Random } from '../env/random'

/** Reconnect policy: exponential backoff with full jitter, then a jittered suspended cadence. */
export interface RetryOptions {
  /** Attempts in `reconnecting` before the connection is `suspended`. */
  maxRetries: number
  /** Ceiling of the first retry's delay, in ms. */
  baseDelay: number
  /** No delay ceiling grows past this, in ms. */
  maxDelay: number
  backoffMultiplier: number
  /** Mean delay between retries once `suspended`, in ms (jittered ×0.5–1.5). */
  suspendedRetryMs: number
}

export const DEFAULT_RETRY: Readonly<RetryOptions> = Object.freeze({
  maxRetries: 3,
  baseDelay: 1000,
  maxDelay: 30000,
  backoffMultiplier: 2,
  suspendedRetryMs: 10000,
})

/** The upper bound of the full-jitter window for retry number `attempt` (0-based). */
export function backoffCeiling(attempt: number, retry: RetryOptions): number {
  // A zero base never grows (and 0 · Infinity, for a huge attempt, would be NaN).
  if (retry.baseDelay === 0) return 0
  const grown = retry.baseDelay * Math.pow(retry.backoffMultiplier, Math.max(0, attempt))
  return Math.min(retry.maxDelay, grown)
}

/**
 * Delay before retry number `attempt` (0-based): full jitter, uniform in
 * [0, min(maxDelay, baseDelay · multiplier^attempt)], so that clients dropped together
 * spread their retries instead of reconnecting in lockstep.
 *
 * @example
 * retryDelay(2, DEFAULT_RETRY, () => 0.5) // 2000: half of min(30000, 1000·2²)
 */
export function retryDelay(attempt: number, retry: RetryOptions, random: Random): number {
  const ceiling = backoffCeiling(attempt, retry)
  // Whole ms, never past a fractional ceiling (e.g. multiplier 1.5): rounding up would overshoot it.
  return Math.min(Math.floor(ceiling), Math.round(random() * ceiling))
}

/** Delay between retries once `suspended`: uniform in [0.5, 1.5] × suspendedRetryMs. */
export function suspendedRetryDelay(retry: RetryOptions, random: Random): number {
  const mean = retry.suspendedRetryMs
  // Whole ms that stay inside the window: rounding a fractional bound (or 0.5 + random()
  // rounding up to exactly 1.5 in floating point) must not push the delay out of it.
  const delay = Math.round((0.5 + random()) * mean)
  return Math.max(Math.ceil(0.5 * mean), Math.min(Math.floor(1.5 * mean), delay))
}

/**
 * The delay before retry number `attempt` whatever the phase: backoff while
 * `attempt < maxRetries`, the slow suspended cadence after.
 */
export function nextRetryDelay(attempt: number, retry: RetryOptions, random: Random): number {
  return attempt < retry.maxRetries ? retryDelay(attempt, retry, random) : suspendedRetryDelay(retry, random)
}
