import type { SagaIterator } from 'redux-saga'
import { call, put, race, take } from 'redux-saga/effects'
import { authRetryDelay } from '../policy/authRetry'
import type { CoreContext } from './context'
import { sleep, waitForState } from './effects'
import { readSucceeded, takeReadRetry, type ReadRetryThrottle } from './readSucceeded'

/**
 * `failed` is never terminal: while the connection is refused, this waits for `recover()`, a
 * session change, or the kill switch, and otherwise retries on its own every 30–60 s (jittered
 * from the injected random), forever, or sooner when a read of the app's api succeeds (at most
 * once per 5 s). Polling covers every topic meanwhile.
 *
 * @internal
 */
export function* waitWhileFailed(ctx: CoreContext, reads: ReadRetryThrottle): SagaIterator<void> {
  const { actions, selectors, env } = ctx
  const delayMs = authRetryDelay(env.random)
  const dueAt = env.clock.now() + delayMs
  yield put(actions.failedRetryScheduled({ delayMs, at: env.clock.now() }))
  for (;;) {
    const result = (yield race({
      lifted: call(waitForState, (root) => selectors.selectConnectionState(root) !== 'failed', [
        actions.recover.type,
        actions.sessionChanged.type,
        actions.disable.type,
      ]),
      due: call(sleep, env.clock, Math.max(0, dueAt - env.clock.now())),
      read: take(readSucceeded(ctx)),
    })) as { lifted?: unknown; due?: true; read?: unknown }
    if (result.lifted) return
    if (result.read && !takeReadRetry(reads, env.clock.now())) continue
    ctx.logger.info(
      result.due
        ? `retrying a refused connection after ${delayMs} ms`
        : 'a read of the api succeeded: retrying the refused connection now',
    )
    yield put(actions.failedRetryStarted({ reason: result.due ? 'timer' : 'read', at: env.clock.now() }))
    return
  }
}
