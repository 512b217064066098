import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { Clock } from '../env/clock'
import type { SerializedRealtimeError } from '../errors/realtimeError'
import { connectionTransition, type ConnectionEvent } from '../policy/connectionTransition'
import type { RealtimeEvent } from '../transport/events'
import type { SerializableSpec } from '../subscription/spec'
import { crossTabReducers } from './crossTabReducers'
import { routerReducers } from './routerReducers'
import {
  initialRealtimeState,
  newChannelRecord,
  RECENT_ERRORS_KEPT,
  type ChannelRecord,
  type ErrorRecord,
  type RealtimeState,
} from './state'

/** Time stamp carried by every internal event: reducers never read a clock. */
interface At {
  at: number
}

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

function recordError(state: RealtimeState, error: SerializedRealtimeError, at: number, topic?: string): ErrorRecord {
  const record: ErrorRecord = topic === undefined ? { ...error, at } : { ...error, at, topic }
  state.lastError = record
  state.recentErrors.unshift(record)
  if (state.recentErrors.length > RECENT_ERRORS_KEPT) state.recentErrors.length = RECENT_ERRORS_KEPT
  state.metrics.errorsByType[error.type] = (state.metrics.errorsByType[error.type] ?? 0) + 1
  return record
}

function closeAllChannels(state: RealtimeState, at: number): void {
  for (const channel of Object.values(state.channels)) {
    markLost(channel, at)
    channel.state = 'closed'
    channel.nextRetryAt = null
  }
}

/**
 * Builds the slice of one realtime instance. Public commands keep imperative names from
 * DESIGN.md (`enable`, `disable`, `recover`, `setVisibility`, `setOnline`); everything the
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
      /** The registry saga (re)started and will report every live subscription again. */
      registryReset(state, action: PayloadAction<{ topics: string[] } & At>) {
        // Records of topics still wanted are kept (their next join is after a gap); the rest go.
        const keep = new Set(action.payload.topics)
        for (const [topic, channel] of Object.entries(state.channels)) {
          if (!keep.has(topic)) {
            delete state.channels[topic]
            continue
          }
          markLost(channel, action.payload.at)
          channel.state = 'closed'
          channel.subscriberCount = 0
          channel.nextRetryAt = null
        }
      },
      subscriberAdded(state, action: PayloadAction<{ topic: string; private: boolean } & At>) {
        const { topic } = action.payload
        const channel = (state.channels[topic] ??= newChannelRecord(topic, action.payload.private))
        channel.subscriberCount += 1
        state.metrics.totalSubscriptions += 1
      },
      subscriberRemoved(state, action: PayloadAction<{ topic: string } & At>) {
        const channel = state.channels[action.payload.topic]
        if (channel) channel.subscriberCount = Math.max(0, channel.subscriberCount - 1)
      },

      // ---- channels ---------------------------------------------------------------------
      channelJoinStarted(state, action: PayloadAction<{ topic: string; attempt: number } & At>) {
        const channel = state.channels[action.payload.topic]
        if (!channel) return
        // Recreated while subscribed (recover, new bindings): the gap starts now.
        if (channel.state === 'subscribed') markLost(channel, action.payload.at)
        channel.state = 'subscribing'
        channel.attempt = action.payload.attempt
        channel.nextRetryAt = null
      },
      channelSubscribed(state, action: PayloadAction<{ topic: string } & At>) {
        const channel = state.channels[action.payload.topic]
        if (!channel) return
        const { at } = action.payload
        const afterGap = channel.joins > 0
        channel.resumed = !afterGap
        channel.gapMs = afterGap && channel.lostAt !== null ? Math.max(0, at - channel.lostAt) : null
        channel.state = 'subscribed'
        channel.joinedAt = at
        channel.lostAt = null
        channel.joins += 1
        channel.attempt = 0
        channel.nextRetryAt = null
      },
      channelErrored(
        state,
        action: PayloadAction<{ topic: string; error: SerializedRealtimeError; retryInMs: number | null } & At>,
      ) {
        const { topic, error, retryInMs, at } = action.payload
        const channel = state.channels[topic]
        const record = recordError(state, error, at, topic)
        if (!channel) return
        markLost(channel, at)
        channel.state = 'error'
        channel.lastError = record
        channel.nextRetryAt = retryInMs === null ? null : at + retryInMs
      },
      channelClosed(state, action: PayloadAction<{ topic: string } & At>) {
        const channel = state.channels[action.payload.topic]
        if (!channel) return
        markLost(channel, action.payload.at)
        channel.state = 'closed'
        channel.nextRetryAt = null
      },
      channelRemoved(state, action: PayloadAction<{ topic: string } & At>) {
        delete state.channels[action.payload.topic]
      },

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
      connectionIdled(state, action: PayloadAction<At>) {
        applyConnection(state, { type: 'wentIdle' }, action.payload.at)
        state.metrics.disconnectedAt = null
        state.attempt = 0
        state.nextRetryAt = null
      },
      sessionChanged(state, action: PayloadAction<At>) {
        applyConnection(state, { type: 'sessionChanged' }, action.payload.at)
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

/** Remembers when the subscription was lost; the first loss of a gap counts. */
function markLost(channel: ChannelRecord, at: number): void {
  channel.lostAt ??= at
}
export type RealtimeSlice = ReturnType<typeof createRealtimeSlice>
export type RealtimeActions = RealtimeSlice['actions']
