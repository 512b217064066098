import type { SagaIterator } from 'redux-saga'
import { call, put, race, take } from 'redux-saga/effects'
import { joinRate, reserveJoin } from '../policy/capacity'
import type { CoreContext } from './context'
import { sleep } from './effects'

/**
 * Waits for this client's turn to join: past the server's join hold (set by
 * `ClientJoinRateLimitReached`; `recover()` lifts it), then a token of the join bucket, so a
 * reconnect with many topics never sends more than its share of the project's joins per second.
 */
export function* awaitJoinTurn(ctx: CoreContext, topic: string): SagaIterator<void> {
  const { capacity, env, actions } = ctx
  while (capacity.holdUntil > env.clock.now()) {
    const waitMs = capacity.holdUntil - env.clock.now()
    if (capacity.holdError)
      yield put(actions.channelErrored({ topic, error: capacity.holdError, retryInMs: waitMs, at: env.clock.now() }))
    const woke = (yield race({ slept: call(sleep, env.clock, waitMs), recover: take(actions.recover.type) })) as {
      recover?: unknown
    }
    if (woke.recover) capacity.holdUntil = 0
  }
  const { bucket, waitMs } = reserveJoin(capacity.bucket, env.clock.now(), joinRate(capacity.limits))
  capacity.bucket = bucket
  if (waitMs > 0) yield call(sleep, env.clock, waitMs)
}
