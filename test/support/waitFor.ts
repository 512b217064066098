export interface WaitForOptions {
  /** Give up after this long (default 2000 ms). */
  timeoutMs?: number
  /** Poll this often (default 10 ms). */
  intervalMs?: number
  /** Describes what was awaited, for the timeout error. */
  message?: string
}

/**
 * Polls `predicate` on real timers until it returns a truthy value, and resolves with that value.
 * Rejects after `timeoutMs`; a predicate that throws counts as "not yet" (its last error is reported).
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 2000, intervalMs = 10, message } = options
  const deadline = performance.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await predicate()
      if (value) return value as NonNullable<T>
    } catch (error) {
      lastError = error
    }
    if (performance.now() >= deadline) {
      const what = message ?? predicate.toString()
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${what}`, lastError ? { cause: lastError } : undefined)
    }
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Resolves after `ms` of real time (for asserting that something does NOT happen). */
export function sleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms))
}
