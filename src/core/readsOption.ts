import { DEFAULT_READS, type ReadsOptions } from '../policy/readsPolicy'
import { MAX_TIMER_MS, number } from './optionChecks'

/** The `reads` option's fields, validated, defaults filled in. @internal */
export function resolveReads(input: Record<string, unknown>): ReadsOptions {
  return {
    timeoutMs: number('reads.timeoutMs', input.timeoutMs, DEFAULT_READS.timeoutMs, { max: MAX_TIMER_MS }),
    maxHoldMs: number('reads.maxHoldMs', input.maxHoldMs, DEFAULT_READS.maxHoldMs, { max: 60_000 }),
  }
}
