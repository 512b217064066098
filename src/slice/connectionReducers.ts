import type { PayloadAction } from '@reduxjs/toolkit'
import type { SerializedRealtimeError } from '../errors/realtimeError'
import type { RealtimeState } from './state'
import { applyConnection, closeAllChannels, recordError, type At } from './stateUpdates'

/**
 * The connection part of the slice: what the connection, auth and token-refresh sagas report,
 * as past-tense events. Reducers never read a clock.
 */
export const connectionReducers = {
  connectionAttemptStarted(state: RealtimeState, action: PayloadAction<{ attempt: number } & At>) {
    applyConnection(state, { type: 'connectStarted' }, action.payload.at)
    state.attempt = action.payload.attempt
    state.nextRetryAt = null
  },
  connectionOpened(state: RealtimeState, action: PayloadAction<At>) {
    const { at } = action.payload
    const wasDown = state.connection !== 'connected'
    applyConnection(state, { type: 'connected' }, at)
    if (state.connection !== 'connected' || !wasDown) return
    const metrics = state.metrics
    if (metrics.disconnectedAt !== null) {
      metrics.reconnections += 1
      metrics.reconnectTimeTotalMs += Math.max(0, at - metrics.disconnectedAt)
      metrics.disconnectedAt = null
    }
    metrics.connectedAt = at
    state.attempt = 0
    state.nextRetryAt = null
  },
  reconnectScheduled(
    state: RealtimeState,
    action: PayloadAction<
      { attempt: number; maxRetries: number; delayMs: number; error: SerializedRealtimeError } & At
    >,
  ) {
    const { attempt, maxRetries, delayMs, error, at } = action.payload
    recordError(state, error, at)
    // disconnectedAt is set only when a connected period ends, so failed first attempts are not a "reconnection".
    applyConnection(state, { type: 'connectionLost', attempt, maxRetries }, at)
    state.attempt = attempt
    state.nextRetryAt = at + delayMs
  },
  /** Another tab reported its connection back (`from`, its tab id): this tab's retry wait ended early. */
  retryWokenByPeer(state: RealtimeState, action: PayloadAction<{ from: string } & At>) {
    state.metrics.peerReconnectWakeups += 1
    void action
  },
  connectionFailed(
    state: RealtimeState,
    action: PayloadAction<{ error: SerializedRealtimeError; topic?: string } & At>,
  ) {
    const { error, at, topic } = action.payload
    recordError(state, error, at, topic)
    applyConnection(state, { type: 'failedPermanently' }, at)
    state.nextRetryAt = null
  },
  /** The liveness probe got no frame at all after a probe: the connection is silently dead (a drop follows). */
  connectionSilenceDetected(
    state: RealtimeState,
    action: PayloadAction<{ silentSince: number; probeSentAt: number } & At>,
  ) {
    state.metrics.silencesDetected += 1
    state.metrics.lastSilenceDetectedAfterMs = Math.max(0, action.payload.at - action.payload.silentSince)
  },
  /** A probe was answered after `rttMs`; `slow` when that was over the slow-link bound. */
  probeAnswered(state: RealtimeState, action: PayloadAction<{ rttMs: number; slow: boolean } & At>) {
    state.slowLink = action.payload.slow
  },
  connectionIdled(state: RealtimeState, action: PayloadAction<At>) {
    applyConnection(state, { type: 'wentIdle' }, action.payload.at)
    state.metrics.disconnectedAt = null
    state.attempt = 0
    state.nextRetryAt = null
  },
  /**
   * `stop()` ended the sagas: no socket, no channel, no catch-up. The connection is idle (a
   * `failed` one stays failed: its cause still holds), every channel closed, and no topic covers a
   * tag any more (the registry reports the coverage again on the next start).
   */
  realtimeStopped(state: RealtimeState, action: PayloadAction<At>) {
    const { at } = action.payload
    applyConnection(state, { type: 'wentIdle' }, at)
    state.metrics.disconnectedAt = null
    state.attempt = 0
    state.nextRetryAt = null
    closeAllChannels(state, at)
    state.freshness.coverage = {}
    state.freshness.catchUps = {}
  },
  sessionChanged(state: RealtimeState, action: PayloadAction<At>) {
    applyConnection(state, { type: 'sessionChanged' }, action.payload.at)
  },
  /** A `failed` connection will retry on its own after `delayMs` (30–60 s), unless something lifts it sooner. */
  failedRetryScheduled(state: RealtimeState, action: PayloadAction<{ delayMs: number } & At>) {
    if (state.connection === 'failed') state.nextRetryAt = action.payload.at + action.payload.delayMs
  },
  /** The slow retry of a `failed` connection started (`timer`), or a successful read cut its wait short (`read`). */
  failedRetryStarted(state: RealtimeState, action: PayloadAction<{ reason: 'timer' | 'read' } & At>) {
    applyConnection(state, { type: 'failedRetryDue' }, action.payload.at)
    state.nextRetryAt = null
  },
  /** A token was handed to realtime before a join or a refresh (`expiresAt` null when it is no JWT). */
  accessTokenAuthorized(
    state: RealtimeState,
    action: PayloadAction<{ expiresAt: number | null; issuedAt: number | null } & At>,
  ) {
    state.accessToken = {
      expiresAt: action.payload.expiresAt,
      issuedAt: action.payload.issuedAt,
      authorizedAt: action.payload.at,
    }
  },
  /** The token was replaced ahead of its expiry and pushed to the joined channels. */
  tokenRefreshedAhead(
    state: RealtimeState,
    action: PayloadAction<{ expiresAt: number | null; previousExpiresAt: number } & At>,
  ) {
    state.metrics.tokenRefreshesAhead += 1
    void action
  },
  /** The access token source threw, hung past the join timeout, or gave no token: counted, then backed off. */
  tokenSourceFailed(state: RealtimeState, action: PayloadAction<{ reason: string } & At>) {
    state.metrics.tokenSourceFailures += 1
    void action
  },
}
