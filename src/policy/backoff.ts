import type { Random } from '../env/random'

/** Reconnect policy (DESIGN.md §4). */
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
  // 0.5 + random() can round to exactly 1.5 in floating point; keep the upper bound.
  return Math.min(Math.floor(1.5 * retry.suspendedRetryMs), Math.round((0.5 + random()) * retry.suspendedRetryMs))
}

/**
 * The delay before retry number `attempt` whatever the phase: backoff while
 * `attempt < maxRetries`, the slow suspended cadence after.
 */
export function nextRetryDelay(attempt: number, retry: RetryOptions, random: Random): number {
  return attempt < retry.maxRetries ? retryDelay(attempt, retry, random) : suspendedRetryDelay(retry, random)
}
