import type { PayloadAction } from '@reduxjs/toolkit'
import type { RealtimeEvent } from '../events/events'
import type { RealtimeState } from './state'
import type { At } from './stateUpdates'

/**
 * The traffic part of the slice: events received in a batch, messages and frames that could not
 * be understood, and broadcasts sent. Reducers never read a clock.
 */
export const trafficReducers = {
  /**
   * One action per batch window (~16 ms) with every event received in it. Reduced by
   * `receiveEvents` (receiveEvents.ts), outside Immer: the slice's reducer takes this action before
   * createSlice's case reducers see it, so this one only gives the action its type.
   */
  eventsReceived(_state: RealtimeState, _action: PayloadAction<{ events: RealtimeEvent[] } & At>) {},
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
