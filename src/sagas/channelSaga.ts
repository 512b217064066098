import type { SagaIterator } from 'redux-saga'
import { call, put, select } from 'redux-saga/effects'
import { isTokenExpiry, RealtimeError, serializeRealtimeError } from '../errors/realtimeError'
import { authRetryDelay } from '../policy/authRetry'
import type { SerializableSpec } from '../subscription/spec'
import type { ChannelConfig, JoinOptions, TransportChannel } from '../events/port'
import { authorizeWithin } from './authorize'
import { channelSignals } from './channelSignals'
import type { CoreContext } from './context'
import { runJoinedChannel, type ChannelOutcome, type JoinedChannel } from './joinedChannel'
import { settle, waitForState } from './effects'
import { waitForRefusalRetry } from './refusalRetry'
import { awaitJoinTurn } from './joinTurn'
import { channelStayedUp, newRefusalStreak } from './serverRefusals'
import {
  backOff,
  handleFailure,
  rejoinAfterTokenExpiry,
  type ExpiryDecision,
  type FailureDecision,
} from './channelFailure'
import { newReplayMemory, replayRefused, replayWatchFor } from './replayCatchUp'

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
