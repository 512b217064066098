import type { UnknownAction } from '@reduxjs/toolkit'
import type { RealtimeEvent } from '../events/events'
import type { ChannelRecord, RealtimeState } from './state'
import type { At } from './stateUpdates'

/** Sets `key` on a fresh copy (`__proto__` as an own key, as a parsed or rehydrated state may hold it). */
function setOwn<V>(record: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__')
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  else record[key] = value
}

/**
 * `eventsReceived` as a plain reducer: counts the batch's events, stamps `lastEventAt` and each
 * known channel's `lastMessageAt` (the last event of the batch for it wins), copying only what
 * changes and freezing it as Immer would. One event per action is common (the first after a quiet
 * frame goes out alone), and Immer's draft, copy and freeze of the slice cost more per event than
 * the routing does. An empty batch leaves the state as it is; a malformed entry is skipped.
 * @internal
 */
export function receiveEvents(state: RealtimeState, payload: { events: readonly RealtimeEvent[] } & At): RealtimeState {
  const { events, at } = payload
  // Anyone can dispatch this action: a batch that is not a list changes nothing.
  if (!Array.isArray(events) || events.length === 0) return state
  let channels: Record<string, ChannelRecord> = state.channels
  for (const event of events as readonly unknown[]) {
    if (typeof event !== 'object' || event === null) continue
    const { topic, receivedAt } = event as { topic?: unknown; receivedAt?: unknown }
    if (typeof topic !== 'string' || typeof receivedAt !== 'number') continue
    const channel = Object.hasOwn(channels, topic) ? channels[topic] : undefined
    if (channel === undefined || channel.lastMessageAt === receivedAt) continue
    if (channels === state.channels) channels = { ...state.channels }
    setOwn(channels, topic, Object.freeze({ ...channel, lastMessageAt: receivedAt }))
  }
  const metrics = {
    ...state.metrics,
    messagesReceived: state.metrics.messagesReceived + events.length,
    lastEventAt: at,
  }
  return Object.freeze({
    ...state,
    channels: channels === state.channels ? channels : Object.freeze(channels),
    metrics: Object.freeze(metrics),
  })
}

/**
 * The slice's reducer with `eventsReceived` taken before Immer ({@link receiveEvents}); every
 * other action goes to the slice's own reducer.
 * @internal
 */
export function withPlainEventsReceived<
  R extends (state: RealtimeState | undefined, action: UnknownAction) => RealtimeState,
>(reducer: R, eventsReceivedType: string, initialState: () => RealtimeState): R {
  const wrapped = (state: RealtimeState | undefined, action: UnknownAction): RealtimeState =>
    action.type === eventsReceivedType
      ? receiveEvents(state ?? initialState(), (action.payload ?? {}) as { events: RealtimeEvent[] } & At)
      : reducer(state, action)
  return wrapped as R
}
