import type { SerializedRealtimeError } from '../errors/realtimeError'
import { connectionTransition, type ConnectionEvent } from '../policy/connectionTransition'
import { RECENT_ERRORS_KEPT, type ChannelRecord, type ErrorRecord, type RealtimeState } from './state'

/** Time stamp carried by every internal event: reducers never read a clock. */
export interface At {
  at: number
}

/** Records an error as the last one, in the recent list, and in `errorsByType`. */
export function recordError(
  state: RealtimeState,
  error: SerializedRealtimeError,
  at: number,
  topic?: string,
): ErrorRecord {
  const record: ErrorRecord = topic === undefined ? { ...error, at } : { ...error, at, topic }
  state.lastError = record
  state.recentErrors.unshift(record)
  if (state.recentErrors.length > RECENT_ERRORS_KEPT) state.recentErrors.length = RECENT_ERRORS_KEPT
  state.metrics.errorsByType[error.type] = (state.metrics.errorsByType[error.type] ?? 0) + 1
  return record
}

/** Every channel closed (the kill switch): each one's gap starts now. */
export function closeAllChannels(state: RealtimeState, at: number): void {
  for (const channel of Object.values(state.channels)) {
    markLost(channel, at)
    channel.state = 'closed'
    channel.nextRetryAt = null
  }
}

/** Remembers when the subscription was lost; the first loss of a gap counts. */
export function markLost(channel: ChannelRecord, at: number): void {
  channel.lostAt ??= at
}

/** Moves the connection through `connectionTransition`; a connected period that ends adds to the uptime. */
export function applyConnection(state: RealtimeState, event: ConnectionEvent, at: number): void {
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
  // A new connection (or none) has not been measured yet.
  state.slowLink = false
}
