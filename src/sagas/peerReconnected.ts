import type { SagaIterator } from 'redux-saga'
import { put } from 'redux-saga/effects'
import type { CoreContext } from './context'

/**
 * Another tab's reconnect ends a retry wait at most this often, counted from the last early retry:
 * a burst of reports (several tabs coming back together) costs one immediate retry, a retry that
 * fails waits out its normal backoff, and a tab gone rogue can force at most one retry per gap.
 */
export const PEER_RETRY_GAP_MS = 5_000

/** When another tab's report last cut a retry wait short (one per connection saga). @internal */
export interface PeerRetryThrottle {
  lastAt: number | null
}

/**
 * Another tab reported its connection back while this one waits to retry (`reconnecting` or
 * `suspended`): true, counted (`metrics.peerReconnectWakeups`) and logged once, when the wait ends
 * now; false inside the gap after the last such retry.
 *
 * @internal
 */
export function* peerWakesRetry(
  ctx: CoreContext,
  throttle: PeerRetryThrottle,
  report: { payload: { from: string } },
): SagaIterator<boolean> {
  const { actions, env, logger } = ctx
  const now = env.clock.now()
  if (throttle.lastAt !== null && now - throttle.lastAt < PEER_RETRY_GAP_MS) return false
  throttle.lastAt = now
  logger.once('peer-reconnect-wakeup', 'info', 'another tab reconnected: the server is back, retrying now')
  yield put(actions.retryWokenByPeer({ from: report.payload.from, at: now }))
  return true
}
