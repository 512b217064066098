import type { Clock } from '../env/clock'

/** The part of phoenix's Socket whose own heartbeat timeout is guarded. */
export interface HeartbeatSocket {
  heartbeatTimeout?: () => void
  pendingHeartbeatRef?: string | null
  heartbeatIntervalMs?: number
}

/**
 * Phoenix closes the socket when a heartbeat has no reply within its interval (25 s in
 * supabase-js), even while other frames keep arriving: on a slow link the reply is queued behind
 * them. Any frame proves the socket alive, so while one arrived within that interval the timeout
 * only forgets the pending heartbeat (the next probe goes out); a socket that is really silent
 * is still closed, and the library's own probe notices silence much sooner anyway.
 *
 * @internal
 */
export function guardHeartbeatTimeout(socket: HeartbeatSocket, clock: Clock, lastInboundAt: () => number | null): void {
  const timeout = socket.heartbeatTimeout
  if (typeof timeout !== 'function') return
  socket.heartbeatTimeout = function guardedHeartbeatTimeout(this: unknown) {
    const heard = lastInboundAt()
    const interval = typeof socket.heartbeatIntervalMs === 'number' ? socket.heartbeatIntervalMs : 25_000
    if (heard !== null && clock.now() - heard < interval) {
      socket.pendingHeartbeatRef = null
      return
    }
    timeout.call(socket)
  }
}
