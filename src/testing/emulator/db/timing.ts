import type { Clock } from '../../../env/clock'

/** Resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    clock.setTimeout(resolve, ms)
  })
}

/** Waits for `promise` at most `ms`: true if it settled (either way) in time, false if not. */
export function withTimeout(promise: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms)
    const settle = () => {
      clock.clearTimeout(timer)
      resolve(true)
    }
    promise.then(settle, settle)
  })
}

/**
 * Runs `attempt` until it returns true, at most `tries` times, sleeping `delayMs` (doubled each
 * time, at most `maxDelayMs`) in between. Returns whether it succeeded.
 */
export async function retry(
  attempt: () => Promise<boolean>,
  options: { tries: number; delayMs: number; maxDelayMs: number; clock: Clock },
): Promise<boolean> {
  let delay = options.delayMs
  for (let i = 1; i <= options.tries; i += 1) {
    if (await attempt()) return true
    if (i < options.tries) await sleep(options.clock, delay)
    delay = Math.min(delay * 2, options.maxDelayMs)
  }
  return false
}
