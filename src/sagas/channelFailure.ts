import type { SagaIterator } from 'redux-saga'
import { call, put, race, take } from 'redux-saga/effects'
import { RealtimeError, serializeRealtimeError } from '../errors/realtimeError'
import { authRetryDelay } from '../policy/authRetry'
import { nextRetryDelay } from '../policy/backoff'
import type { ChannelConfig } from '../events/port'
import type { CoreContext } from './context'
import { sleep } from './effects'
import { waitForRefusalRetry } from './refusalRetry'
import { isRecoverableRefusal, waitOutRefusal, type RefusalStreak } from './serverRefusals'

// A channel's failures, for channelSaga: what each means (backoff, token refresh, slow retry, rejoin) and the wait it takes.

/** A second token expiry within this of the last immediate rejoin backs off instead (no rejoin loop). */
const TOKEN_EXPIRY_REJOIN_GAP_MS = 30_000

/** What a token expiry leaves the channel saga with. @internal */
export interface ExpiryDecision {
  failures: number
  lastExpiryRejoinAt: number | null
}

/**
 * The server closed a joined channel at its token's expiry: rejoin at once with a forced refresh,
 * unless it happened moments ago too (a token source that keeps giving stale tokens backs off).
 * @internal
 */
export function* rejoinAfterTokenExpiry(
  ctx: CoreContext,
  topic: string,
  error: RealtimeError,
  failures: number,
  lastExpiryRejoinAt: number | null,
): SagaIterator<ExpiryDecision> {
  const at = ctx.env.clock.now()
  if (lastExpiryRejoinAt !== null && at - lastExpiryRejoinAt < TOKEN_EXPIRY_REJOIN_GAP_MS) {
    return { failures: (yield call(backOff, ctx, topic, error, failures, true)) as number, lastExpiryRejoinAt }
  }
  ctx.logger.info('the access token expired on a joined channel; rejoining at once with a fresh token', { topic })
  const serialized = serializeRealtimeError(error)
  yield put(ctx.actions.channelErrored({ topic, error: serialized, retryInMs: 0, tokenExpired: true, at }))
  return { failures, lastExpiryRejoinAt: at }
}

/** What a failure leaves the channel saga with. @internal */
export interface FailureDecision {
  failures: number
  refreshToken: boolean
}

/**
 * Decides what a failure means: a lost socket waits for the connection saga; an auth refusal
 * is retried once with a refreshed token, then on the slow 30–60 s cadence (a private topic's
 * own, or the failed connection's) and on any session change or `recover()`; anything else
 * backs off with full jitter.
 * @internal
 */
export function* handleFailure(
  ctx: CoreContext,
  topic: string,
  config: ChannelConfig,
  error: RealtimeError,
  { failures, refusals }: { failures: number; refusals: RefusalStreak },
  tokenWasRefreshed: boolean,
): SagaIterator<FailureDecision> {
  const { actions, env, transport, logger } = ctx
  const at = env.clock.now()
  // Before the socket check: the server disconnects the socket after ClientJoinRateLimitReached.
  if (isRecoverableRefusal(error)) {
    const recovered = (yield call(waitOutRefusal, ctx, topic, error, refusals)) as boolean
    return { failures: recovered ? 0 : failures, refreshToken: false }
  }
  if (!transport.isConnected()) {
    yield put(actions.channelClosed({ topic, at }))
    return { failures, refreshToken: false }
  }
  if (error.type === 'AUTHENTICATION_FAILED') {
    // An Unauthorized from the server is counted with the other refusals (serverRefusals.unauthorized).
    const counted = error.serverError === 'unauthorized' ? { serverRefusal: error.serverError } : {}
    if (!tokenWasRefreshed) {
      yield put(actions.channelErrored({ topic, error: serializeRealtimeError(error), retryInMs: 0, at, ...counted }))
      return { failures, refreshToken: true }
    }
    const refused = new RealtimeError('AUTHENTICATION_FAILED', error.message, {
      retryable: false,
      context: error.context,
      cause: error,
      ...(error.serverError ? { serverError: error.serverError } : {}),
    })
    logger.warn('refused after a token refresh; retrying in 30–60 s, on a new session, or on recover()', { topic })
    // A refused public channel means the credentials themselves are refused: the connection has
    // failed, and its own slow retry brings this channel back. A private one retries on its own.
    const retryInMs = config.private ? authRetryDelay(env.random) : null
    yield put(actions.channelErrored({ topic, error: serializeRealtimeError(refused), retryInMs, at, ...counted }))
    if (!config.private) yield put(actions.connectionFailed({ error: serializeRealtimeError(refused), topic, at }))
    yield call(waitForRefusalRetry, ctx, retryInMs)
    return { failures: 0, refreshToken: false }
  }
  return { failures: (yield call(backOff, ctx, topic, error, failures)) as number, refreshToken: false }
}

/** Records a retryable failure and waits out the full-jitter backoff (`recover()` cuts it short). Returns the new failure count. @internal */
export function* backOff(
  ctx: CoreContext,
  topic: string,
  error: RealtimeError,
  failures: number,
  tokenExpired = false,
): SagaIterator<number> {
  const { actions, env, timing, logger } = ctx
  const delayMs = nextRetryDelay(failures, timing.retry, env.random)
  logger.info(`channel failed (${error.type}); rejoining in ${delayMs} ms`, { topic, attempt: failures })
  const payload = { topic, error: serializeRealtimeError(error), retryInMs: delayMs, at: env.clock.now() }
  yield put(actions.channelErrored(tokenExpired ? { ...payload, tokenExpired } : payload))
  const waited = (yield race({ slept: call(sleep, env.clock, delayMs), recover: take(actions.recover.type) })) as {
    recover?: unknown
  }
  return waited.recover ? 0 : failures + 1
}
