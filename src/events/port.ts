import type { RealtimeError } from '../errors/realtimeError'
import type { PostgresBinding } from './bindings'
import type { RealtimeEvent } from './events'

/** What the socket reports. */
export type SocketSignal =
  | { type: 'open' }
  | { type: 'close'; code: number | null; reason: string }
  | { type: 'error'; message: string }
  | { type: 'heartbeat'; status: HeartbeatStatus }
  /** A frame the client could not decode (`reason` names the kind, never the content). The socket is replaced. */
  | { type: 'malformed'; reason: string }

export type HeartbeatStatus = 'sent' | 'ok' | 'error' | 'timeout' | 'disconnected'

/** The channel statuses of supabase-js's `subscribe` callback. */
export type ChannelStatus = 'SUBSCRIBED' | 'TIMED_OUT' | 'CLOSED' | 'CHANNEL_ERROR'

/** What a channel reports: status changes, normalised events, and what could not be understood. */
export type ChannelSignal =
  | { type: 'status'; status: ChannelStatus; error: RealtimeError | null }
  | { type: 'event'; event: RealtimeEvent }
  | { type: 'malformed'; reason: string }

/** The union of every subscriber's needs on one topic. */
export interface ChannelConfig {
  postgres: PostgresBinding[]
  broadcast: string[]
  private: boolean
  broadcastOptions: { self: boolean; ack: boolean }
  /**
   * Broadcast event names whose messages are table changes sent by `realtime.broadcast_changes`
   * (Broadcast from Database): read as postgres changes. Absent when no subscriber asked for any.
   */
  databaseChanges?: string[]
}

/** What one join asks beyond the channel's configuration. */
export interface JoinOptions {
  /** Ask a private channel's server to replay broadcasts stored since `since` (ms since the epoch), at most `limit`. */
  replay?: { since: number; limit: number }
}

export type BroadcastResult = 'ok' | 'timed out' | 'error'

export interface TransportChannel {
  readonly topic: string
  /** Starts joining; signals go to `listener` until the returned detach function is called (or the channel is removed). */
  join(listener: (signal: ChannelSignal) => void, timeoutMs: number): () => void
  send(event: string, payload: unknown): Promise<BroadcastResult>
}

/** The access token handed to realtime before a join. */
export interface AuthSnapshot {
  /** True when the token belongs to a signed-in user (not the anon/publishable key). */
  signedIn: boolean
  /** When the token handed to realtime expires (ms since the epoch); null or absent when unknown (not a JWT). */
  expiresAt?: number | null
  /** When it was issued (ms), to size the refresh lead of short-lived tokens; null or absent when unknown. */
  issuedAt?: number | null
}

export type AuthChangeEvent = 'SIGNED_IN' | 'SIGNED_OUT' | 'TOKEN_REFRESHED' | 'USER_UPDATED' | 'OTHER'

/**
 * The small port the sagas talk to. One adapter implements it over supabase-js
 * (`createSupabaseTransport`); tests use a scripted fake.
 */
export interface RealtimeTransport {
  /** Identifies the underlying client (two realtime instances on two clients are reported). */
  readonly clientKey: object
  /** Opens the socket now (after clearing a dead connection and frames buffered for it). Resolves once the attempt started. */
  connect(): Promise<void>
  /** Closes the socket cleanly; nothing is scheduled after it. */
  disconnect(): Promise<void>
  isConnected(): boolean
  /** Socket open/close/error and heartbeat replies; returns the cleanup. */
  watchSocket(listener: (signal: SocketSignal) => void): () => void
  /** Sends one heartbeat now: the liveness probe. */
  sendHeartbeat(): void
  /**
   * When the socket last received a frame of any kind (a reply, an event, a system message), on
   * the transport's clock; null before the first. Any frame proves the socket alive, so a probe
   * whose reply is queued behind other traffic is not taken for silence. Optional: without it only
   * heartbeat replies count.
   */
  lastInboundAt?(): number | null
  /**
   * Awaits a fresh access token (refreshing the session first when asked, or when the token is
   * about to expire) and hands it to realtime, which pushes it to joined channels. Rejects when
   * the token source fails or gives an expired token: no join ever goes out with one.
   */
  authorize(options: { forceRefresh: boolean }): Promise<AuthSnapshot>
  /** Session changes; returns the cleanup. */
  watchAuth(listener: (event: AuthChangeEvent) => void): () => void
  createChannel(topic: string, config: ChannelConfig, options?: JoinOptions): TransportChannel
  removeChannel(channel: TransportChannel): Promise<void>
  /** Topics of the channels the client holds (a topic twice would be a bug). */
  channelTopics(): string[]
}
