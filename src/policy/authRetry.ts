import type { Random } from '../env/random'

/** The slow cadence on which a refusal (a `failed` connection, a private topic without a session) is retried. */
export interface AuthRetryWindow {
  minMs: number
  maxMs: number
}

/** Every 30–60 s: slow enough not to hammer an auth server that refuses, fast enough to come back on its own. */
export const AUTH_RETRY_WINDOW: Readonly<AuthRetryWindow> = Object.freeze({ minMs: 30_000, maxMs: 60_000 })

/**
 * Delay before the next retry of a refusal: uniform in [minMs, maxMs] from the injected random
 * source, in whole ms, so that clients refused together do not retry in lockstep. A random
 * source that returns something outside [0, 1) (or NaN) is clamped into the window.
 *
 * @example
 * authRetryDelay(() => 0.5) // 45000
 *
 * @internal
 */
export function authRetryDelay(random: Random, window: AuthRetryWindow = AUTH_RETRY_WINDOW): number {
  const draw = random()
  const unit = Number.isFinite(draw) ? Math.min(1, Math.max(0, draw)) : 0
  return Math.round(window.minMs + unit * (window.maxMs - window.minMs))
}
