import type { PayloadAction } from '@reduxjs/toolkit'
import type { RealtimeState } from './state'
import type { At } from './stateUpdates'

/**
 * Replay catch-up (DESIGN §3.6): a rejoin of a private topic asked the server to replay its
 * gap; these report how that ended. Reducers never read a clock.
 */
export const replayReducers = {
  /** The replay came back below its limit: its messages were routed like live ones, nothing refetched. */
  catchUpReplayed(
    state: RealtimeState,
    action: PayloadAction<{ topic: string; replayed: number; duplicates: number } & At>,
  ) {
    state.metrics.catchUpReplayed += 1
    state.metrics.messagesReplayed += action.payload.replayed
    const channel = state.channels[action.payload.topic]
    if (channel) channel.catchUp = 'replayed'
  },
  /**
   * The replay reached its limit (`overflow`: some may be missing), or came back without the last
   * message seen (`incomplete`): the topic's tags are invalidated as after any gap.
   */
  catchUpReplayFellBack(
    state: RealtimeState,
    action: PayloadAction<{ topic: string; reason: 'overflow' | 'incomplete'; replayed: number } & At>,
  ) {
    state.metrics.catchUpInvalidated += 1
    state.metrics.messagesReplayed += action.payload.replayed
    const channel = state.channels[action.payload.topic]
    if (channel) channel.catchUp = 'invalidated'
  },
}
