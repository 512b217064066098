import type { SagaIterator } from 'redux-saga'
import { call, put, race, select, take } from 'redux-saga/effects'
import { isTokenExpiry, RealtimeError, serializeRealtimeError } from '../errors/realtimeError'
import { authRetryDelay } from '../policy/authRetry'
import { nextRetryDelay } from '../policy/backoff'
import type { SerializableSpec } from '../subscription/spec'
import type { ChannelConfig, JoinOptions, TransportChannel } from '../events/port'
import { authorizeWithin } from './authorize'
import { channelSignals } from './channelSignals'
import type { CoreContext } from './context'
import { runJoinedChannel, type ChannelOutcome, type JoinedChannel } from './joinedChannel'
import { settle, sleep, waitForState } from './effects'
import { waitForRefusalRetry } from './refusalRetry'
import { awaitJoinTurn } from './joinTurn'
import {
  channelStayedUp,
  isRecoverableRefusal,
  newRefusalStreak,
  waitOutRefusal,
  type RefusalStreak,
} from './serverRefusals'
import { newReplayMemory, replayRefused, replayWatchFor } from './replayCatchUp'

/** A second token expiry within this of the last immediate rejoin backs off instead (no rejoin loop). */
const TOKEN_EXPIRY_REJOIN_GAP_MS = 30_000

/**
 * Owns one topic's channel for as long as the topic has subscribers: joins only on an open
 * socket after a fresh token, rejoins after our own jittered backoff, and removes the
 * channel (in `finally`) whenever it ends, so supabase-js never retries on its own.
 */
export function* channelSaga(
  ctx: CoreContext,
  topic: string,
  config: ChannelConfig,
  subscribers: ReadonlyMap<string, SerializableSpec>,
): SagaIterator<void> {
  const { actions, transport, env } = ctx
  let failures = 0
  let refreshToken = false
  let lastExpiryRejoinAt: number | null = null
  const replayMemory = newReplayMemory()
  const refusals = newRefusalStreak()
  for (;;) {
    const ready = yield* readyToJoin(ctx, topic, config, refreshToken, failures)
    if (!ready.ok) {
      failures = ready.failures
      continue
    }
    const replay = replayWatchFor(replayMemory, config, subscribers)
    const opened = openChannel(ctx, topic, config, replay.asked)
    if (!opened.ok) {
      // A transport that throws here must cost this topic a backoff, not the registry its life.
      failures = (yield call(backOff, ctx, topic, opened.error, failures)) as number
      continue
    }
    const { channel, signals } = opened
    const joinStartedAt = env.clock.now()
    yield put(actions.channelJoinStarted({ topic, attempt: failures, at: joinStartedAt }))
    let outcome: ChannelOutcome
    try {
      const joined: JoinedChannel = { topic, channel, signals, subscribers, replay, replayMemory }
      outcome = (yield call(runJoinedChannel, ctx, joined)) as ChannelOutcome
    } finally {
      signals.close()
      ctx.registry.liveChannels.delete(topic)
      yield call(settle, () => transport.removeChannel(channel))
    }
    if (outcome.joined) {
      failures = 0
      refreshToken = false
      channelStayedUp(refusals, env.clock.now() - joinStartedAt)
    }
    if (replayRefused(replay, outcome)) replayMemory.refused = true
    if (outcome.kind === 'recover') {
      failures = 0
      refusals.count = 0
      continue
    }
    if (outcome.kind === 'disabled') continue
    if (outcome.kind === 'connectionLost') {
      yield put(actions.channelClosed({ topic, at: env.clock.now() }))
      continue
    }
    if (isTokenExpiry(outcome.error) && transport.isConnected()) {
      refreshToken = true
      const expiry = (yield call(
        rejoinAfterTokenExpiry,
        ctx,
        topic,
        outcome.error,
        failures,
        lastExpiryRejoinAt,
      )) as ExpiryDecision
      failures = expiry.failures
      lastExpiryRejoinAt = expiry.lastExpiryRejoinAt
      continue
    }
    const retry = (yield call(
      handleFailure,
      ctx,
      topic,
      config,
      outcome.error,
      { failures, refusals },
      refreshToken,
    )) as FailureDecision
    failures = retry.failures
    refreshToken = retry.refreshToken
  }
}

/**
 * Waits for an open socket, then this join's turn, then a fresh token. The socket comes first: a
 * topic offline takes no turn (else every topic would take one while offline and all join at once
 * on the reopen); after the turn the socket is checked again. The token is fetched after every
 * wait, so it is fresh when the join goes out. Not ready: the attempt backed off (no token) or
 * waited for a session, and returns the failure count to go on with.
 */
function* readyToJoin(
  ctx: CoreContext,
  topic: string,
  config: ChannelConfig,
  refreshToken: boolean,
  failures: number,
): SagaIterator<{ ok: true } | { ok: false; failures: number }> {
  do {
    yield call(gateUntilJoinable, ctx, topic)
    yield* awaitJoinTurn(ctx, topic)
  } while (!((yield select(joinable(ctx))) as boolean))
  const auth = yield* authorizeWithin(ctx, refreshToken, topic)
  if (!auth.ok) {
    return {
      ok: false,
      failures: (yield call(backOff, ctx, topic, noTokenError(topic, auth.error), failures)) as number,
    }
  }
  if (config.private && !auth.value.signedIn) {
    yield call(waitForSession, ctx, topic)
    return { ok: false, failures }
  }
  return { ok: true }
}

/** A private topic without a signed-in session: refused, retried on a session event and on the slow cadence. */
function* waitForSession(ctx: CoreContext, topic: string): SagaIterator<void> {
  const { actions, env } = ctx
  const error = new RealtimeError('AUTHENTICATION_FAILED', `${topic} is private and needs a signed-in session`, {
    context: { topic },
  })
  const retryInMs = authRetryDelay(env.random)
  yield put(actions.channelErrored({ topic, error: serializeRealtimeError(error), retryInMs, at: env.clock.now() }))
  yield call(waitForRefusalRetry, ctx, retryInMs)
}

/**
 * No fresh token (auth server unreachable, a throwing, hanging or garbage token source): not a
 * refusal, and no reason to join with a stale token either. The channel backs off and asks again.
 */
function noTokenError(topic: string, cause: unknown): RealtimeError {
  const reason = cause instanceof RealtimeError ? `: ${cause.message}` : ''
  return new RealtimeError('SUBSCRIPTION_FAILED', `could not get an access token before joining ${topic}${reason}`, {
    context: { topic },
    cause,
  })
}

interface ExpiryDecision {
  failures: number
  lastExpiryRejoinAt: number | null
}

/**
 * The server closed a joined channel at its token's expiry: rejoin at once with a forced refresh,
 * unless it happened moments ago too (a token source that keeps giving stale tokens backs off).
 */
function* rejoinAfterTokenExpiry(
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

/** Creates the channel and starts joining; a throw from the transport becomes a retryable failure. */
function openChannel(ctx: CoreContext, topic: string, config: ChannelConfig, replay: JoinOptions['replay'] | null) {
  let channel: TransportChannel | null = null
  try {
    channel = ctx.transport.createChannel(topic, config, replay ? { replay } : {})
    return { ok: true as const, channel, signals: channelSignals(channel, ctx.timing.joinTimeoutMs) }
  } catch (cause) {
    if (channel) void ctx.transport.removeChannel(channel).catch(() => undefined)
    const error = new RealtimeError('SUBSCRIPTION_FAILED', `could not create the channel for ${topic}`, {
      context: { topic },
      cause,
    })
    return { ok: false as const, error }
  }
}

/**
 * Waits until joining makes sense: the socket is open (the connection saga owns reconnecting).
 * The transport is asked too: a channel can hear of a drop before the connection saga has
 * recorded it, and a join sent then would go out on a closed socket.
 */
function* gateUntilJoinable(ctx: CoreContext, topic: string): SagaIterator<void> {
  const { actions, selectors } = ctx
  if ((yield select(joinable(ctx))) as boolean) return
  const channel = (yield select(selectors.selectChannel(topic))) as { state: string } | undefined
  if (channel && channel.state !== 'closed') yield put(actions.channelClosed({ topic, at: ctx.env.clock.now() }))
  yield call(waitForState, joinable(ctx), [actions.connectionOpened.type])
}

/** Whether a join can go out now: the connection saga has it open, and so does the transport. */
function joinable({ selectors, transport }: CoreContext): (root: unknown) => boolean {
  return (root) => selectors.selectConnectionState(root) === 'connected' && transport.isConnected()
}

interface FailureDecision {
  failures: number
  refreshToken: boolean
}

/**
 * Decides what a failure means: a lost socket waits for the connection saga; an auth refusal
 * is retried once with a refreshed token, then on the slow 30–60 s cadence (a private topic's
 * own, or the failed connection's) and on any session change or `recover()`; anything else
 * backs off with full jitter.
 */
function* handleFailure(
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

/** Records a retryable failure and waits out the full-jitter backoff (`recover()` cuts it short). Returns the new failure count. */
function* backOff(
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
