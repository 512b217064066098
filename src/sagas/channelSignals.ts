import { buffers, eventChannel, type EventChannel } from 'redux-saga'
import type { ChannelSignal, TransportChannel } from '../events/port'

/**
 * The channel's signals as a saga event channel. Joining starts on subscription; the
 * expanding buffer keeps a burst of messages while the saga is busy, never dropping one.
 */
export function channelSignals(channel: TransportChannel, joinTimeoutMs: number): EventChannel<ChannelSignal> {
  // The join's detach is the subscriber's cleanup; removing the channel belongs to the owning saga's finally block.
  return eventChannel<ChannelSignal>((emit) => channel.join(emit, joinTimeoutMs), buffers.expanding(256))
}
