import type { SagaIterator } from 'redux-saga'
import { call, put, race } from 'redux-saga/effects'
import { authRetryDelay } from '../policy/authRetry'
import type { CoreContext } from './context'
import { sleep, waitForState } from './effects'

/**
 * `failed` is never terminal: while the connection is refused, this waits for `recover()`, a
 * session change, or the kill switch, and otherwise retries on its own every 30–60 s (jittered
 * from the injected random), forever. Polling covers every topic meanwhile.
 *
 * @internal
 */
export function* waitWhileFailed(ctx: CoreContext): SagaIterator<void> {
  const { actions, selectors, env } = ctx
  const delayMs = authRetryDelay(env.random)
  yield put(actions.failedRetryScheduled({ delayMs, at: env.clock.now() }))
  const result = (yield race({
    lifted: call(waitForState, (root) => selectors.selectConnectionState(root) !== 'failed', [
      actions.recover.type,
      actions.sessionChanged.type,
      actions.disable.type,
    ]),
    due: call(sleep, env.clock, delayMs),
  })) as { lifted?: unknown; due?: true }
  if (result.due) {
    ctx.logger.info(`retrying a refused connection after ${delayMs} ms`)
    yield put(actions.failedRetryStarted({ reason: 'timer', at: env.clock.now() }))
  }
}
