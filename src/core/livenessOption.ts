import type { CoreTiming } from '../policy/timing'
import { fail, MAX_TIMER_MS, number } from './optionChecks'

/** Liveness defaults: 2.5 s + 3 s ≤ 6 s visible; 20 s + 3 s ≤ 30 s hidden, on timers a throttled tab still fires (≥ 1 s). */
const DEFAULT_LIVENESS: Readonly<CoreTiming['liveness']> = Object.freeze({
  intervalMs: 2_500,
  timeoutMs: 3_000,
  hiddenIntervalMs: 20_000,
})

/** The `liveness` option's fields, validated (a hidden tab never probes more often than a visible one). @internal */
export function resolveLiveness(input: Record<string, unknown>): CoreTiming['liveness'] {
  const intervalMs = number('liveness.intervalMs', input.intervalMs, DEFAULT_LIVENESS.intervalMs, {
    min: 1,
    max: MAX_TIMER_MS,
  })
  const timeoutMs = number('liveness.timeoutMs', input.timeoutMs, DEFAULT_LIVENESS.timeoutMs, {
    min: 1,
    max: MAX_TIMER_MS,
  })
  // A hidden tab never probes more often than a visible one.
  const hiddenIntervalMs = number(
    'liveness.hiddenIntervalMs',
    input.hiddenIntervalMs,
    Math.max(DEFAULT_LIVENESS.hiddenIntervalMs, intervalMs),
    { min: 1, max: MAX_TIMER_MS },
  )
  if (hiddenIntervalMs < intervalMs)
    fail('liveness.hiddenIntervalMs', `must be at least liveness.intervalMs (${intervalMs})`, hiddenIntervalMs)
  return { intervalMs, timeoutMs, hiddenIntervalMs }
}
