import type { SagaIterator } from 'redux-saga'
import { call, put, race, select, take } from 'redux-saga/effects'
import { retryDelay } from '../policy/backoff'
import { tokenRefreshLeadMs } from '../policy/tokenRefresh'
import type { RealtimeState } from '../slice/state'
import { authorizeWithin } from './authorize'
import type { CoreContext } from './context'
import { sleep } from './effects'

/** A failed refresh is never retried sooner than this. */
const MIN_RETRY_MS = 1_000

/**
 * Refreshes the access token ahead of its expiry while connected, and hands the new one to
 * realtime, which pushes it to every joined channel (`access_token`), so that the server never
 * closes a channel for an expired token. Aims `tokenRefreshLeadMs` (60 s, at most half the
 * token's lifetime, or of the time since it was handed over) before `exp`; a tab coming back to the foreground checks at once (its timers
 * may have been throttled or frozen). A refresh that fails is counted by `authorizeWithin` and
 * retried with full-jitter backoff until the token expires; the server's close is then handled
 * as a token expiry (rejoin at once with a fresh token).
 */
export function* tokenRefreshSaga(ctx: CoreContext): SagaIterator<void> {
  const { actions, selectors, env, timing } = ctx
  let failures = 0
  let retryAt = 0
  let failedFor: number | null = null
  const changes = [
    actions.accessTokenAuthorized.type,
    actions.connectionOpened.type,
    actions.reconnectScheduled.type,
    actions.connectionFailed.type,
    actions.disable.type,
    actions.setVisibility.type,
  ]
  for (;;) {
    const state = (yield select(selectors.selectRealtimeState)) as RealtimeState
    const { expiresAt } = state.accessToken
    if (expiresAt === null || state.connection !== 'connected') {
      failures = 0
      yield take(changes)
      continue
    }
    // A new token (a join's authorize) starts over from its own expiry.
    if (expiresAt !== failedFor) failures = 0
    // Without `iat`, the time it was handed over bounds its lifetime: a short-lived token is not refreshed back to back.
    const { issuedAt, authorizedAt } = state.accessToken
    const lead = tokenRefreshLeadMs({ expiresAt, issuedAt: issuedAt ?? authorizedAt })
    const dueAt = failures === 0 ? expiresAt - lead : retryAt
    const woke = (yield race({ due: call(sleep, env.clock, dueAt - env.clock.now()), changed: take(changes) })) as {
      due?: true
      changed?: unknown
    }
    if (woke.changed) continue
    // Not forced: the transport refreshes a token inside its refresh lead itself, and one that the
    // auth client already renewed (auth-js refreshes ahead too) costs no second refresh.
    const auth = yield* authorizeWithin(ctx, false)
    const renewed = auth.ok ? ((yield select(selectors.selectRealtimeState)) as RealtimeState) : null
    const newExpiresAt = renewed?.accessToken.expiresAt ?? null
    if (auth.ok && (newExpiresAt === null || newExpiresAt > expiresAt)) {
      failures = 0
      ctx.logger.debug('refreshed the access token ahead of its expiry')
      yield put(
        actions.tokenRefreshedAhead({ expiresAt: newExpiresAt, previousExpiresAt: expiresAt, at: env.clock.now() }),
      )
      continue
    }
    // No newer token (the source is down, or hands the same one back): try again after a backoff.
    failures += 1
    failedFor = expiresAt
    retryAt = env.clock.now() + Math.max(MIN_RETRY_MS, retryDelay(failures - 1, timing.retry, env.random))
  }
}
