import type { ConnectionSocket } from './inboundBytes'
import type { SupabaseClient } from '@supabase/supabase-js'
import { RealtimeError } from '../errors/realtimeError'
import type { DecodingSocket } from './guardDecode'
import type { HeartbeatSocket } from './heartbeatTimeoutGuard'

/** Longest delay a JS timer accepts: used to park supabase-js's own retry timers for good. */
export const NEVER_MS = 2_147_483_647

/** One frame as phoenix hands it to message callbacks (the fields we read). */
export interface PhoenixMessage {
  topic?: string
  event?: string
  payload?: { status?: string; message?: unknown }
}

/** The parts of phoenix's Socket (inside realtime-js) that we observe. */
export interface PhoenixSocket extends DecodingSocket, HeartbeatSocket, ConnectionSocket {
  onOpen(callback: () => void): string
  onClose(callback: (event: { code?: number; reason?: string }) => void): string
  onError(callback: (error: unknown) => void): string
  onMessage(callback: (message: PhoenixMessage) => void): string
  off(refs: string[]): void
  rejoinAfterMs?: (tries: number) => number
}

/** realtime-js members that are public at runtime but not (all) in its type declarations. */
export interface RealtimeInternals {
  socketAdapter?: { getSocket?: () => PhoenixSocket }
  reconnectTimer?: { timerCalc: (tries: number) => number; reset(): void }
  sendBuffer?: unknown[]
  pendingHeartbeatRef?: string | null
  accessTokenValue?: string | null
  apiKey?: string | null
}

/**
 * The runtime-only members of the client's realtime.
 * @internal
 */
export function realtimeInternals(client: SupabaseClient): RealtimeInternals {
  return client.realtime as unknown as RealtimeInternals
}

/**
 * The phoenix socket inside the client's realtime; throws when this supabase-js does not expose it.
 * @internal
 */
export function phoenixSocketOf(client: SupabaseClient): PhoenixSocket {
  const socket = realtimeInternals(client).socketAdapter?.getSocket?.()
  if (!socket || typeof socket.onOpen !== 'function' || typeof socket.off !== 'function') {
    throw new RealtimeError(
      'CONNECTION_FAILED',
      'this @supabase/supabase-js version does not expose the realtime socket; rtk-supabase-realtime supports ^2.100.0',
      {
        retryable: false,
      },
    )
  }
  return socket
}

/**
 * Park supabase-js's fixed 1/2/5/10 s socket reconnect and channel rejoin timers: all retry timing is the saga's.
 * @internal
 */
export function takeOverRetryTimers(client: SupabaseClient, socket: PhoenixSocket): void {
  const internals = realtimeInternals(client)
  if (internals.reconnectTimer) internals.reconnectTimer.timerCalc = () => NEVER_MS
  socket.rejoinAfterMs = () => NEVER_MS
}
