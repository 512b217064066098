import { buffers, eventChannel, type EventChannel } from 'redux-saga'
import type { RealtimeTransport, SocketSignal } from '../events/port'

/** Socket open/close/error and heartbeat replies as a saga event channel (one per connection attempt). */
export function socketSignals(transport: RealtimeTransport): EventChannel<SocketSignal> {
  return eventChannel<SocketSignal>((emit) => transport.watchSocket(emit), buffers.expanding(16))
}
