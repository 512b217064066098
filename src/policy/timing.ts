import type { RetryOptions } from './backoff'

/** Timing options of the core, resolved with their defaults. */
export interface CoreTiming {
  retry: RetryOptions
  joinTimeoutMs: number
  /**
   * Liveness probe: a heartbeat after `intervalMs` of silence while visible (`hiddenIntervalMs`
   * while hidden); dead when no frame at all arrives within `timeoutMs` of it.
   */
  liveness: { intervalMs: number; hiddenIntervalMs: number; timeoutMs: number }
  batchMs: number
  /** Settling time before a topic's channel is (re)created, so a mount storm costs one join. */
  rebindDebounceMs: number
  /** How long a topic's channel outlives its last subscriber. */
  teardownGraceMs: number
}

/**
 * A probe answered later than this means a slow link (the reply queued behind seconds of
 * frames): events arrive late on it, so no topic counts as live and polling covers every one.
 * Healthy links answer in milliseconds, a congested mobile one in well under a second.
 */
export const SLOW_PROBE_MS = 2_000
