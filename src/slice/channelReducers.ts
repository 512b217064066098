import type { PayloadAction } from '@reduxjs/toolkit'
import type { SerializedRealtimeError, ServerRefusal } from '../errors/realtimeError'
import type { FullTag } from '../rtkq/rtkqApi'
import { addCoverage, removeCoverage } from './freshnessState'
import { newChannelRecord, type RealtimeState } from './state'
import { markLost, recordError, type At } from './stateUpdates'

/**
 * The subscription and channel part of the slice: what the registry and channel sagas report,
 * as past-tense events. Reducers never read a clock.
 */
export const channelReducers = {
  /** The registry saga (re)started and will report every live subscription again. */
  registryReset(state: RealtimeState, action: PayloadAction<{ topics: string[] } & At>) {
    // Records of topics still wanted are kept (their next join is after a gap); the rest go.
    const keep = new Set(action.payload.topics)
    // Every live subscription is reported again (subscriberAdded), with its tags.
    state.freshness.coverage = {}
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
  subscriberAdded(
    state: RealtimeState,
    action: PayloadAction<{ topic: string; private: boolean; tags?: FullTag[] } & At>,
  ) {
    const { topic } = action.payload
    addCoverage(state.freshness, topic, action.payload.tags)
    const channel = (state.channels[topic] ??= newChannelRecord(topic, action.payload.private))
    channel.subscriberCount += 1
    state.metrics.totalSubscriptions += 1
  },
  subscriberRemoved(state: RealtimeState, action: PayloadAction<{ topic: string; tags?: FullTag[] } & At>) {
    removeCoverage(state.freshness, action.payload.topic, action.payload.tags)
    const channel = state.channels[action.payload.topic]
    if (channel) channel.subscriberCount = Math.max(0, channel.subscriberCount - 1)
  },

  // ---- channels ---------------------------------------------------------------------
  channelJoinStarted(state: RealtimeState, action: PayloadAction<{ topic: string; attempt: number } & At>) {
    const channel = state.channels[action.payload.topic]
    if (!channel) return
    // Recreated while subscribed (recover, new bindings): the gap starts now.
    if (channel.state === 'subscribed') markLost(channel, action.payload.at)
    channel.state = 'subscribing'
    channel.attempt = action.payload.attempt
    channel.nextRetryAt = null
  },
  /** `replay`: the join asked the server to replay the gap, so its catch-up waits for the replay (replayReducers). */
  channelSubscribed(state: RealtimeState, action: PayloadAction<{ topic: string; replay?: boolean } & At>) {
    const channel = state.channels[action.payload.topic]
    if (!channel) return
    const { at } = action.payload
    const afterGap = channel.joins > 0
    if (afterGap) channel.catchUp = action.payload.replay === true ? 'replaying' : 'invalidated'
    if (afterGap && action.payload.replay !== true) state.metrics.catchUpInvalidated += 1
    channel.resumed = !afterGap
    channel.gapMs = afterGap && channel.lostAt !== null ? Math.max(0, at - channel.lostAt) : null
    channel.state = 'subscribed'
    channel.joinedAt = at
    channel.lostAt = null
    channel.joins += 1
    channel.attempt = 0
    channel.nextRetryAt = null
    // The record says the current state; past errors stay in the slice's recentErrors.
    channel.lastError = null
  },
  channelErrored(
    state: RealtimeState,
    action: PayloadAction<
      {
        topic: string
        error: SerializedRealtimeError
        retryInMs: number | null
        tokenExpired?: boolean
        /** The server refused the join or closed the channel (counted in `serverRefusals`). */
        serverRefusal?: ServerRefusal
        /** The topic waits for one of the connection's channels (counted in `channelsOverCapacity`). */
        overCapacity?: boolean
      } & At
    >,
  ) {
    const { topic, error, retryInMs, at, serverRefusal } = action.payload
    const channel = state.channels[topic]
    const record = recordError(state, error, at, topic)
    const { metrics } = state
    if (action.payload.tokenExpired === true) metrics.tokenExpiries += 1
    if (serverRefusal !== undefined)
      metrics.serverRefusals[serverRefusal] = (metrics.serverRefusals[serverRefusal] ?? 0) + 1
    if (action.payload.overCapacity === true) metrics.channelsOverCapacity += 1
    if (!channel) return
    markLost(channel, at)
    channel.state = 'error'
    channel.lastError = record
    channel.nextRetryAt = retryInMs === null ? null : at + retryInMs
  },
  channelClosed(state: RealtimeState, action: PayloadAction<{ topic: string } & At>) {
    const channel = state.channels[action.payload.topic]
    if (!channel) return
    markLost(channel, action.payload.at)
    channel.state = 'closed'
    channel.nextRetryAt = null
  },
  channelRemoved(state: RealtimeState, action: PayloadAction<{ topic: string } & At>) {
    delete state.channels[action.payload.topic]
    // A removed topic's sources go with it: a new subscription starts trusting its events again.
    for (const key of Object.keys(state.sources))
      if (state.sources[key]?.topic === action.payload.topic) delete state.sources[key]
  },
}
