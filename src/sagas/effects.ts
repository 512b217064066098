import { CANCEL, type SagaIterator } from 'redux-saga'
import { call, select, take } from 'redux-saga/effects'
import type { Clock } from '../env/clock'

/** The longest delay a JS timer takes: a longer one fires at once (Node warns, browsers say nothing). */
export const MAX_TIMER_MS = 2_147_483_647

/**
 * A delay on the injected clock that redux-saga can cancel (its timer is cleared when the
 * waiting task is cancelled or loses a race), so that a stopped store leaves no timers.
 * Resolves with `true`, so that a race can tell it won (`{ timeout: true }`). A delay beyond
 * {@link MAX_TIMER_MS} (a token that expires in years) waits in steps instead of firing at once.
 */
export function sleep(clock: Clock, ms: number): Promise<true> {
  let handle: ReturnType<Clock['setTimeout']> | undefined
  const promise = new Promise<true>((resolve) => {
    const wait = (remaining: number) => {
      const step = Math.min(MAX_TIMER_MS, Math.max(0, remaining))
      handle = clock.setTimeout(() => (remaining > step ? wait(remaining - step) : resolve(true)), step)
    }
    wait(ms)
  })
  ;(promise as unknown as Record<typeof CANCEL, () => void>)[CANCEL] = () => {
    if (handle !== undefined) clock.clearTimeout(handle)
  }
  return promise
}

/** A promise that never settles: the absent branch of a race. */
export function never(): Promise<never> {
  return new Promise<never>(() => undefined)
}

/** Blocks until `predicate` holds for the state, re-checking after each of `wakeOn` actions. */
export function* waitForState(predicate: (root: unknown) => boolean, wakeOn: string[]): SagaIterator<void> {
  while (!((yield select(predicate)) as boolean)) yield take(wakeOn)
}

/** Calls an async function; resolves to its error instead of throwing, so a saga keeps running. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

export function* settle<T>(fn: () => Promise<T>): SagaIterator<Settled<T>> {
  try {
    const value = (yield call(fn)) as T
    return { ok: true, value }
  } catch (error) {
    return { ok: false, error }
  }
}
