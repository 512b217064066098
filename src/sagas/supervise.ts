import type { SagaIterator } from 'redux-saga'
import { call } from 'redux-saga/effects'
import type { CoreContext } from './context'
import { sleep } from './effects'

const RESTART_DELAY_MS = 1000

/**
 * Runs a long-lived saga and restarts it if it throws: a bug or a surprise from the
 * transport is logged, never a dead core. Cancellation passes through untouched.
 */
export function* supervise(
  ctx: CoreContext,
  name: string,
  saga: (ctx: CoreContext) => SagaIterator<void>,
): SagaIterator<void> {
  for (;;) {
    try {
      yield call(saga, ctx)
      return
    } catch (error) {
      ctx.logger.error(`${name} crashed and restarts in ${RESTART_DELAY_MS} ms`, {
        error: error instanceof Error ? error.message : String(error),
      })
      yield call(sleep, ctx.env.clock, RESTART_DELAY_MS)
    }
  }
}
