import type { Random } from '../env/random'
import type { ConnectionState } from './connectionTransition'

/** Dead-mode polling: the cadence while realtime is down, off, or a topic is not live. */
export interface PollingOptions {
  /** Fixed dead-mode cadence (`DEADMODE_FORCE_POLLING_MS`); still clamped ≤ 15 s while visible. */
  forceMs: number | null
  /** Safety-net cadence while realtime is healthy; 0 turns it off. */
  healthyMs: number
  /** Base of the visible dead-mode cadence, within [5000, 10000]. */
  visibleBaseMs: number
  /** Base of the hidden dead-mode cadence, within [15000, 30000]. */
  hiddenBaseMs: number
}

export const DEFAULT_POLLING: Readonly<PollingOptions> = Object.freeze({
  forceMs: null,
  healthyMs: 60_000,
  visibleBaseMs: 5_000,
  hiddenBaseMs: 15_000,
})

export const POLLING_JITTER_MS = 1_000
export const VISIBLE_CLAMP_MS = 15_000
/** The floor of any cadence: polling faster than this is a storm, not a fallback. */
export const MIN_POLL_MS = 1_000

export interface PollingInput {
  connection: ConnectionState
  visible: boolean
  /** While the socket is up, some topic with subscribers is not live (its channel is not `subscribed`): its events may not arrive. */
  degraded?: boolean
  /**
   * A cross-tab follower whose leader polls for it (the leader's poll relays refresh this tab):
   * this one polls on the hidden cadence, as a hidden tab does. A follower the leader does not
   * cover (the leader is healthy, or hidden, or does not know this tab's tags) passes false.
   */
  follower?: boolean
}

/** True when realtime cannot be trusted to deliver changes: polling is the correctness path. */
export function isRealtimeDown(connection: ConnectionState): boolean {
  return connection !== 'connected'
}

/** ±`POLLING_JITTER_MS`, uniform. */
function jitter(random: Random): number {
  return (random() * 2 - 1) * POLLING_JITTER_MS
}

/**
 * The next poll interval in ms, or null when no poll is needed (realtime healthy and the
 * safety net off). While realtime is down or disabled, or some topic is not live, it is never null: visible base ±1 s
 * (clamped ≤ 15 s), hidden base ±1 s; a forced cadence replaces the base. A cross-tab follower
 * covered by its leader polls as a hidden tab does, so one tab per browser polls fast, not every
 * open window.
 *
 * @example
 * pollingInterval({ connection: 'reconnecting', visible: true }, DEFAULT_POLLING, () => 0.5) // 5000
 * pollingInterval({ connection: 'reconnecting', visible: true, follower: true }, DEFAULT_POLLING, () => 0.5) // 15000
 */
export function pollingInterval(input: PollingInput, options: PollingOptions, random: Random): number | null {
  if (!isRealtimeDown(input.connection) && !input.degraded) return options.healthyMs > 0 ? options.healthyMs : null
  const fast = input.visible && !input.follower
  const base = options.forceMs ?? (fast ? options.visibleBaseMs : options.hiddenBaseMs)
  const jittered = Math.round(base + jitter(random))
  const clamped = fast ? Math.min(VISIBLE_CLAMP_MS, jittered) : jittered
  return Math.max(MIN_POLL_MS, clamped)
}
