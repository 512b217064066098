import { DEFAULT_RETRY, type RetryOptions } from '../policy/backoff'
import { fail, MAX_TIMER_MS, number } from './optionChecks'

/** The `retry` option's fields, each validated, defaults filled in. @internal */
export function resolveRetry(input: Record<string, unknown>): RetryOptions {
  return {
    maxRetries: number('retry.maxRetries', input.maxRetries, DEFAULT_RETRY.maxRetries, { integer: true }),
    baseDelay: number('retry.baseDelay', input.baseDelay, DEFAULT_RETRY.baseDelay, { max: MAX_TIMER_MS }),
    maxDelay: number('retry.maxDelay', input.maxDelay, DEFAULT_RETRY.maxDelay, { max: MAX_TIMER_MS }),
    backoffMultiplier: number('retry.backoffMultiplier', input.backoffMultiplier, DEFAULT_RETRY.backoffMultiplier, {
      min: 1,
    }),
    suspendedRetryMs: number('retry.suspendedRetryMs', input.suspendedRetryMs, DEFAULT_RETRY.suspendedRetryMs, {
      min: 1,
      max: MAX_TIMER_MS / 1.5,
    }),
  }
}

/** The one rule across `retry`'s fields: `maxDelay` is at least `baseDelay`. @internal */
export function assertRetryBounds(retry: RetryOptions): void {
  if (retry.maxDelay < retry.baseDelay)
    fail('retry.maxDelay', `must be at least retry.baseDelay (${retry.baseDelay})`, retry.maxDelay)
}
