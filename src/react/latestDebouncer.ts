import type { Clock, TimerHandle } from '../env/clock'

/** Collapses a burst of values into one delivery of the latest. */
export interface LatestDebouncer<T> {
  push(value: T): void
  /** Delivers a pending value now. */
  flush(): void
  /** Drops a pending value. */
  cancel(): void
}

/**
 * Delivers the latest pushed value once `delayMs` pass without a new one, and at least every
 * `maxWaitMs` during a continuous stream (a plain trailing debounce would starve a consumer
 * whose topic never goes quiet). Time comes from the injected clock.
 *
 * @example
 * const debouncer = createLatestDebouncer(clock, 100, 1000, (event) => redraw(event))
 * for (const event of burst) debouncer.push(event)   // redraw runs once, with the last event
 */
export function createLatestDebouncer<T>(
  clock: Clock,
  delayMs: number,
  maxWaitMs: number,
  deliver: (value: T) => void,
): LatestDebouncer<T> {
  let timer: TimerHandle | null = null
  let pending: { value: T } | null = null
  let firstPushAt: number | null = null

  const clear = () => {
    if (timer !== null) clock.clearTimeout(timer)
    timer = null
  }
  const flush = () => {
    clear()
    firstPushAt = null
    const current = pending
    pending = null
    if (current) deliver(current.value)
  }
  return {
    push(value) {
      pending = { value }
      const now = clock.now()
      firstPushAt ??= now
      clear()
      const wait = Math.min(delayMs, Math.max(0, firstPushAt + maxWaitMs - now))
      timer = clock.setTimeout(flush, wait)
    },
    flush,
    cancel() {
      clear()
      pending = null
      firstPushAt = null
    },
  }
}

/** Checks a debounce delay at the call site. */
export function assertDelay(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a finite number of milliseconds >= 0 (got ${String(value)})`)
  }
  return value
}
