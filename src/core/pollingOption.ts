import { DEFAULT_POLLING, type PollingOptions } from '../policy/pollingPolicy'
import { MAX_TIMER_MS, number } from './optionChecks'

/**
 * The `polling` option's fields, validated; `forceMs` is the option, else the
 * `DEADMODE_FORCE_POLLING_MS` flag, else none (`null`).
 * @internal
 */
export function resolvePolling(input: Record<string, unknown>, forcePollingFlag: number | undefined): PollingOptions {
  const forceMs = input.forceMs ?? forcePollingFlag
  return {
    forceMs: forceMs === undefined ? null : number('polling.forceMs', forceMs, 0, { min: 1, max: MAX_TIMER_MS }),
    healthyMs: number('polling.healthyMs', input.healthyMs, DEFAULT_POLLING.healthyMs, { max: MAX_TIMER_MS }),
    visibleBaseMs: number('polling.visibleBaseMs', input.visibleBaseMs, DEFAULT_POLLING.visibleBaseMs, {
      min: 5_000,
      max: 10_000,
    }),
    hiddenBaseMs: number('polling.hiddenBaseMs', input.hiddenBaseMs, DEFAULT_POLLING.hiddenBaseMs, {
      min: 15_000,
      max: 30_000,
    }),
  }
}
