import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { Clock } from '../env/clock'
import type { SerializedRealtimeError } from '../errors/realtimeError'
import { connectionTransition, type ConnectionEvent } from '../policy/connectionTransition'
import type { RealtimeEvent } from '../events/events'
import type { SerializableSpec } from '../subscription/spec'
import { channelReducers } from './channelReducers'
import { crossTabReducers } from './crossTabReducers'
import { routerReducers } from './routerReducers'
import { initialRealtimeState, type RealtimeState } from './state'
import { closeAllChannels, recordError, type At } from './stateUpdates'


export type { RouterReport } from './routerReducers'

type StampedAction<P = undefined> = PayloadAction<P, string, { at: number }>

function applyConnection(state: RealtimeState, event: ConnectionEvent, at: number): void {
  const next = connectionTransition(state.connection, event)
  if (next === state.connection) return
  const metrics = state.metrics
  if (state.connection === 'connected' && metrics.connectedAt !== null) {
    metrics.uptimeMs += Math.max(0, at - metrics.connectedAt)
    metrics.connectedAt = null
    metrics.disconnectedAt = at
  }
  state.connection = next
  state.connectionSince = at
}

/**
 * Builds the slice of one realtime instance. Public commands keep their imperative names
 * (`enable`, `disable`, `recover`, `setVisibility`, `setOnline`); everything the
 * sagas report is a past-tense event stamped with the injected clock's time.
 */
export function createRealtimeSlice(reducerPath: string, enabled: boolean, clock: Clock) {
  const stamped = <P>(payload: P) => ({ payload, meta: { at: clock.now() } })
  return createSlice({
    name: reducerPath,
    initialState: () => initialRealtimeState(enabled),
    reducers: {
      // ---- public commands (stamped with the injected clock by their action creators) ----
      /** Turns realtime back on after `disable()` (the kill switch). */
      enable: {
        reducer(state, action: StampedAction) {
          applyConnection(state, { type: 'enabled' }, action.meta.at)
        },
        prepare: () => stamped(undefined),
      },
      /** The kill switch: tears down every channel and the socket; polling takes over. */
      disable: {
        reducer(state, action: StampedAction) {
          applyConnection(state, { type: 'disabled' }, action.meta.at)
          closeAllChannels(state, action.meta.at)
          state.attempt = 0
          state.nextRetryAt = null
          // Closed on purpose, as when idling: the next connection is not a reconnection.
          state.metrics.disconnectedAt = null
        },
        prepare: () => stamped(undefined),
      },
      /** "Recover now": resets backoff and recreates every channel. */
      recover: {
        reducer(state, action: StampedAction) {
          applyConnection(state, { type: 'recoverRequested' }, action.meta.at)
          state.attempt = 0
          state.nextRetryAt = null
        },
        prepare: () => stamped(undefined),
      },
      /** For hosts without `document` (React Native AppState, tests). */
      setVisibility: {
        reducer(state, action: StampedAction<boolean>) {
          state.visible = action.payload
        },
        prepare: (visible: boolean) => stamped(visible),
      },
      /** For hosts without `navigator.onLine`. */
      setOnline: {
        reducer(state, action: StampedAction<boolean>) {
          state.online = action.payload
        },
        prepare: (online: boolean) => stamped(online),
      },

      // ---- subscriptions (requests are handled by the registry saga) -------------------
      subscriptionRequested: {
        reducer() {},
        prepare: (payload: { id: string; spec: SerializableSpec }) => ({ payload }),
      },
      subscriptionReleased: {
        reducer() {},
        prepare: (payload: { id: string }) => ({ payload }),
      },
      ...channelReducers,

      // ---- connection ---------------------------------------------------------------------
      connectionAttemptStarted(state, action: PayloadAction<{ attempt: number } & At>) {
        applyConnection(state, { type: 'connectStarted' }, action.payload.at)
        state.attempt = action.payload.attempt
        state.nextRetryAt = null
      },
      connectionOpened(state, action: PayloadAction<At>) {
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
        state,
        action: PayloadAction<{ attempt: number; maxRetries: number; delayMs: number; error: SerializedRealtimeError } & At>,
      ) {
        const { attempt, maxRetries, delayMs, error, at } = action.payload
        recordError(state, error, at)
        // disconnectedAt is set only when a connected period ends, so failed first attempts are not a "reconnection".
        applyConnection(state, { type: 'connectionLost', attempt, maxRetries }, at)
        state.attempt = attempt
        state.nextRetryAt = at + delayMs
      },
      connectionFailed(state, action: PayloadAction<{ error: SerializedRealtimeError; topic?: string } & At>) {
        const { error, at, topic } = action.payload
        recordError(state, error, at, topic)
        applyConnection(state, { type: 'failedPermanently' }, at)
        state.nextRetryAt = null
      },
      /** The liveness probe got no frame at all after a probe: the connection is silently dead (a drop follows). */
      connectionSilenceDetected(state, action: PayloadAction<{ silentSince: number; probeSentAt: number } & At>) {
        state.metrics.silencesDetected += 1
        state.metrics.lastSilenceDetectedAfterMs = Math.max(0, action.payload.at - action.payload.silentSince)
      },
      connectionIdled(state, action: PayloadAction<At>) {
        applyConnection(state, { type: 'wentIdle' }, action.payload.at)
        state.metrics.disconnectedAt = null
        state.attempt = 0
        state.nextRetryAt = null
      },
      sessionChanged(state, action: PayloadAction<At>) {
        applyConnection(state, { type: 'sessionChanged' }, action.payload.at)
      },
      /** A `failed` connection will retry on its own after `delayMs` (30–60 s), unless something lifts it sooner. */
      failedRetryScheduled(state, action: PayloadAction<{ delayMs: number } & At>) {
        if (state.connection === 'failed') state.nextRetryAt = action.payload.at + action.payload.delayMs
      },
      /** The slow retry of a `failed` connection started (`timer`), or a successful read cut its wait short (`read`). */
      failedRetryStarted(state, action: PayloadAction<{ reason: 'timer' | 'read' } & At>) {
        applyConnection(state, { type: 'failedRetryDue' }, action.payload.at)
        state.nextRetryAt = null
      },
      /** A token was handed to realtime before a join or a refresh (`expiresAt` null when it is no JWT). */
      accessTokenAuthorized(state, action: PayloadAction<{ expiresAt: number | null; issuedAt: number | null } & At>) {
        state.accessToken = { expiresAt: action.payload.expiresAt, issuedAt: action.payload.issuedAt, authorizedAt: action.payload.at }
      },
      /** The token was replaced ahead of its expiry and pushed to the joined channels. */
      tokenRefreshedAhead(state, action: PayloadAction<{ expiresAt: number | null; previousExpiresAt: number } & At>) {
        state.metrics.tokenRefreshesAhead += 1
        void action
      },
      /** The access token source threw, hung past the join timeout, or gave no token: counted, then backed off. */
      tokenSourceFailed(state, action: PayloadAction<{ reason: string } & At>) {
        state.metrics.tokenSourceFailures += 1
        void action
      },

      // ---- traffic --------------------------------------------------------------------------
      /** One action per batch window (~16 ms) with every event received in it. */
      eventsReceived(state, action: PayloadAction<{ events: RealtimeEvent[] } & At>) {
        const { events, at } = action.payload
        if (events.length === 0) return
        state.metrics.messagesReceived += events.length
        state.metrics.lastEventAt = at
        for (const event of events) {
          // Anyone can dispatch this action: a malformed entry must not break the reducer.
          if (typeof event !== 'object' || event === null || typeof event.topic !== 'string') continue
          const channel = Object.hasOwn(state.channels, event.topic) ? state.channels[event.topic] : undefined
          if (channel && typeof event.receivedAt === 'number') channel.lastMessageAt = event.receivedAt
        }
      },
      /** A message from the transport that could not be understood: counted and skipped. */
      malformedMessageSkipped(state, action: PayloadAction<{ topic: string; reason: string } & At>) {
        state.metrics.eventsMalformed += 1
        state.metrics.errorsByType.MALFORMED_MESSAGE = (state.metrics.errorsByType.MALFORMED_MESSAGE ?? 0) + 1
        void action
      },
      /** A frame the socket could not decode: counted; the connection saga replaces the socket. */
      malformedFrameReceived(state, action: PayloadAction<{ reason: string } & At>) {
        state.metrics.framesMalformed += 1
        state.metrics.errorsByType.MALFORMED_FRAME = (state.metrics.errorsByType.MALFORMED_FRAME ?? 0) + 1
        void action
      },
      broadcastSent(state, action: PayloadAction<{ topic: string; event: string; status: 'ok' | 'timed out' | 'error' } & At>) {
        if (action.payload.status === 'ok') state.metrics.messagesSent += 1
        else {
          const type = action.payload.status === 'timed out' ? 'BROADCAST_TIMEOUT' : 'BROADCAST_ERROR'
          state.metrics.errorsByType[type] = (state.metrics.errorsByType[type] ?? 0) + 1
        }
      },

      // ---- router (the InvalidationRouter reports here) -----------------------------------
      ...routerReducers,

      // ---- cross-tab (src/crossTab/ reports here) ------------------------------------------
      ...crossTabReducers,
    },
  })
}

export type RealtimeSlice = ReturnType<typeof createRealtimeSlice>
export type RealtimeActions = RealtimeSlice['actions']
