import type { PayloadAction } from '@reduxjs/toolkit'
import type { RealtimeEvent } from '../events/events'
import type { RealtimeState } from './state'
import type { At } from './stateUpdates'

/**
 * The traffic part of the slice: events received in a batch, messages and frames that could not
 * be understood, and broadcasts sent. Reducers never read a clock.
 */
export const trafficReducers = {
  /** One action per batch window (~16 ms) with every event received in it. */
  eventsReceived(state: RealtimeState, action: PayloadAction<{ events: RealtimeEvent[] } & At>) {
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
  malformedMessageSkipped(state: RealtimeState, action: PayloadAction<{ topic: string; reason: string } & At>) {
    state.metrics.eventsMalformed += 1
    state.metrics.errorsByType.MALFORMED_MESSAGE = (state.metrics.errorsByType.MALFORMED_MESSAGE ?? 0) + 1
    void action
  },
  /** A frame the socket could not decode: counted; the connection saga replaces the socket. */
  malformedFrameReceived(state: RealtimeState, action: PayloadAction<{ reason: string } & At>) {
    state.metrics.framesMalformed += 1
    state.metrics.errorsByType.MALFORMED_FRAME = (state.metrics.errorsByType.MALFORMED_FRAME ?? 0) + 1
    void action
  },
  broadcastSent(
    state: RealtimeState,
    action: PayloadAction<{ topic: string; event: string; status: 'ok' | 'timed out' | 'error' } & At>,
  ) {
    if (action.payload.status === 'ok') state.metrics.messagesSent += 1
    else {
      const type = action.payload.status === 'timed out' ? 'BROADCAST_TIMEOUT' : 'BROADCAST_ERROR'
      state.metrics.errorsByType[type] = (state.metrics.errorsByType[type] ?? 0) + 1
    }
  },
}
