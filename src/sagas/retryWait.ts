import type { SagaIterator } from 'redux-saga'
import { call, put, race, select, take } from 'redux-saga/effects'
import { serializeRealtimeError, type RealtimeError } from '../errors/realtimeError'
import { nextRetryDelay } from '../policy/backoff'
import type { CoreContext } from './context'
import { sleep } from './effects'
import { peerWakesRetry, type PeerRetryThrottle } from './peerReconnected'
import { readSucceeded, takeReadRetry, type ReadRetryThrottle } from './readSucceeded'

/** What may cut retry waits short without a command: reads of the app's api, other tabs' reconnects. @internal */
export interface RetryHints {
  reads: ReadRetryThrottle
  peers: PeerRetryThrottle
}

/**
 * Records the scheduled retry at once (so that state and polling react without waiting for
 * the socket to finish closing), closes what is left of the socket cleanly, and waits until
 * the retry is due. `recover()`, the kill switch, coming back online, the tab becoming visible,
 * a successful read of the app's api (the network is back; at most once per 5 s), and another
 * tab reporting its connection back (the server is back; at most once per 5 s) cut the wait short.
 * Returns the next attempt number.
 *
 * @internal
 */
export function* waitBeforeRetry(
  ctx: CoreContext,
  attempt: number,
  error: RealtimeError,
  hints: RetryHints,
): SagaIterator<number> {
  const { actions, transport, env, timing, logger } = ctx
  const delayMs = nextRetryDelay(attempt, timing.retry, env.random)
  const dueAt = env.clock.now() + delayMs
  logger.info(`connection lost (${error.type}); retry ${attempt + 1} in ${delayMs} ms`)
  yield put(
    actions.reconnectScheduled({
      attempt,
      maxRetries: timing.retry.maxRetries,
      delayMs,
      error: serializeRealtimeError(error),
      at: env.clock.now(),
    }),
  )
  const interruptions = {
    recover: take(actions.recover.type),
    disabled: take(actions.disable.type),
    online: take(
      (action: { type: string; payload?: unknown }) =>
        action.type === actions.setOnline.type && action.payload === true,
    ),
    // A tab the user comes back to: retry now rather than leave them waiting out a suspended delay.
    visible: call(becameVisible, ctx),
  }
  type Waited = {
    closed?: unknown
    due?: unknown
    recover?: unknown
    disabled?: unknown
    online?: unknown
    visible?: unknown
    read?: unknown
    peer?: { payload: { from: string } }
  }
  // One close for the whole wait; reads and reports are heard while it runs too (a peer may be
  // back before this tab's dying socket has finished closing).
  const closing = Promise.resolve()
    .then(() => transport.disconnect())
    .then(
      () => true as const,
      () => true as const, // a failed close leaves nothing to wait for
    )
  let closed = false
  for (;;) {
    const result = (yield race({
      ...(closed
        ? { due: call(sleep, env.clock, Math.max(0, dueAt - env.clock.now())) }
        : { closed: call(() => closing) }),
      read: take(readSucceeded(ctx)),
      peer: take(actions.crossTabPeerConnected.type),
      ...interruptions,
    })) as Waited
    if (result.closed === true) closed = true
    else if (result.read) {
      if (!takeReadRetry(hints.reads, env.clock.now())) continue
      logger.info('a read of the api succeeded: the network is back, retrying now')
      break
    } else if (result.peer) {
      if ((yield call(peerWakesRetry, ctx, hints.peers, result.peer)) as boolean) break
    } else {
      if (result.recover || result.disabled) return 0
      break // due, online, visible
    }
  }
  return attempt + 1
}

/**
 * Returns when the page goes from hidden to visible: a `setVisibility(true)` while already
 * visible (React Native's AppState reports `active` again and again) is no return of the user.
 */
function* becameVisible({ actions, selectors }: CoreContext): SagaIterator<void> {
  let visible = ((yield select(selectors.selectRealtimeState)) as { visible: boolean }).visible
  for (;;) {
    const action = (yield take(actions.setVisibility.type)) as { payload: boolean }
    if (action.payload && !visible) return
    visible = action.payload
  }
}
