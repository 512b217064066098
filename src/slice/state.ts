import type { SerializedRealtimeError, ServerRefusal } from '../errors/realtimeError'
import type { ConnectionState } from '../policy/connectionTransition'
import { initialFreshness, type FreshnessState } from './freshnessState'
import { emptyHistogram, type Histogram } from './histogram'
import { initialHistory, type HistoryState } from './historyReducers'
import type { SilentSourceRecord } from './silenceReducers'

export type ChannelState = 'idle' | 'subscribing' | 'subscribed' | 'error' | 'closed'

/** An error as stored: the serializable part, when it happened, and where. */
export interface ErrorRecord extends SerializedRealtimeError {
  at: number
  topic?: string
}

/** One topic's channel, as the registry saga reports it. */
export interface ChannelRecord {
  topic: string
  state: ChannelState
  subscriberCount: number
  private: boolean
  lastMessageAt: number | null
  /** The error of the current failure; null once the channel joins again (history: `recentErrors`). */
  lastError: ErrorRecord | null
  /** When the current (or last) join succeeded. */
  joinedAt: number | null
  /** False when the last join followed a gap (events in between were not delivered). */
  resumed: boolean
  /** Length of the last gap: from losing the subscription to joining again. */
  gapMs: number | null
  /** How the last gap was repaired: replay under way, replayed, or invalidated (null before any gap). */
  catchUp: 'replaying' | 'replayed' | 'invalidated' | null
  /** When the subscription was last lost (null while subscribed). */
  lostAt: number | null
  /** Successful joins so far. */
  joins: number
  /** Failed joins since the last success. */
  attempt: number
  nextRetryAt: number | null
}

/** Counters and histograms. Derived figures (averages, percentiles) come from `selectMetrics`. */
export interface MetricsState {
  /** Start of the current connected period, or null. */
  connectedAt: number | null
  /** Total of completed connected periods. */
  uptimeMs: number
  /** When the connection was last lost (null while connected or never connected). */
  disconnectedAt: number | null
  reconnections: number
  reconnectTimeTotalMs: number
  /** Retry waits (backoff or `suspended`) cut short because another tab reported its connection back. */
  peerReconnectWakeups: number
  totalSubscriptions: number
  messagesReceived: number
  messagesSent: number
  eventsRouted: number
  eventsUnmatched: number
  eventsMalformed: number
  /** Frames the socket could not decode (each one replaces the socket). */
  framesMalformed: number
  invalidationsIssued: number
  invalidationsCoalesced: number
  /** Reads in flight aborted and started again (the link returned or died, or a router refetch passed `reads.timeoutMs`). */
  readsRestarted: number
  /** Router refetches aborted after `reads.timeoutMs`. */
  readsTimedOut: number
  /** Entries refetched directly because RTK Query held an invalidation behind pending requests over `reads.maxHoldMs`. */
  heldInvalidationRefetches: number
  /** Patch mode: rows written into cached lists without a refetch (one per list written). */
  rowsPatched: number
  /** Patch mode: events ignored as older than, or identical to, what the cache holds (late or duplicate deliveries). */
  patchesStale: number
  /** Patch mode: events that invalidated their route's `fallbackTags` (instead of patching, or also, when the list's fetch was in flight). */
  patchFallbacks: number
  /** `patchFallbacks` by the first reason each event met (`PAYLOAD_ERRORS`, `MISSING_COLUMNS`, `NOT_CACHED`, …). */
  patchFallbacksByReason: Record<string, number>
  errorsByType: Record<string, number>
  /** The server's refusals by kind (`channel-rate-limit`, `join-rate-limit`, `message-rate-limit`, `subscription-refused`, `unauthorized`). */
  serverRefusals: Partial<Record<ServerRefusal, number>>
  /** Times a topic had to wait for a channel: the client already had its plan's channels per connection open. */
  channelsOverCapacity: number
  eventToInvalidationMs: Histogram
  eventToRefetchMs: Histogram
  pollIntervalMs: number | null
  lastEventAt: number | null
  /** Joined channels the server closed because their access token expired (each rejoined at once with a fresh token). */
  tokenExpiries: number
  /** Tokens replaced (and pushed to the joined channels) ahead of their expiry, so the server never closed a channel for it. */
  tokenRefreshesAhead: number
  /** Times the access token source threw, hung past the join timeout, or gave something that is not a token. */
  tokenSourceFailures: number
  /** Connections the liveness probe declared silently dead (no frame of any kind after a probe). */
  silencesDetected: number
  /** How long the last of them had been silent when it was declared dead (last frame → detection). */
  lastSilenceDetectedAfterMs: number | null
  /** Gaps repaired by replay (the server's replay of a private topic came back complete: no refetch). */
  catchUpReplayed: number
  /** Gaps repaired by invalidating the topic's tags (a public topic, a replay refused or over its limit). */
  catchUpInvalidated: number
  /** Messages the server replayed at rejoins (duplicates of messages seen live included). */
  messagesReplayed: number
  /** Changes a poll, safety-net or focus refetch found on a live topic with no event for their tag since the data was fetched. */
  eventsMissed: number
  /** Sources (a topic's binding, for one tag) marked silent: connected, yet their changes arrive by polling only. */
  sourcesSilenced: number
}

/**
 * This tab among the tabs of its origin: `off` (cross-tab disabled or unsupported), `solo`
 * (no other tab heard), `leader` (its polls cover the visible tabs that announce their tags), `follower`.
 */
export type CrossTabRole = 'off' | 'solo' | 'leader' | 'follower'

/** Cross-tab leadership and relay counters (for the debug panel). */
export interface CrossTabState {
  role: CrossTabRole
  /** This tab's id (random per instance); null before cross-tab started. */
  tabId: string | null
  /** How leadership is decided: Web Locks plus heartbeats, or heartbeats alone. */
  election: 'locks' | 'heartbeat' | null
  /** The leading tab as far as this tab knows (itself when leader). */
  leaderId: string | null
  /** When this tab last became leader; null unless it leads. */
  leaderSince: number | null
  /** Other tabs heard within the last few seconds. */
  peers: number
  /** Relay messages posted for local mutations and, by a leader, for its polls. */
  relaysSent: number
  /** Valid relay messages received from other tabs. */
  relaysReceived: number
  /** Received relays that invalidated at least one query of this tab. */
  relaysApplied: number
  /** Malformed or unsupported cross-tab messages dropped (any kind). */
  relaysDropped: number
}

/** The slice under `realtime.reducerPath`. Serializable. */
export interface RealtimeState {
  connection: ConnectionState
  /** When `connection` last changed. */
  connectionSince: number | null
  /** Retry number of the scheduled connection attempt (0 when healthy). */
  attempt: number
  nextRetryAt: number | null
  visible: boolean
  online: boolean
  /**
   * The last liveness probe of this connection was answered, but late (over `SLOW_PROBE_MS`): the
   * link delivers, slowly. No topic counts as live on it; all are polled as in dead mode.
   */
  slowLink: boolean
  channels: Record<string, ChannelRecord>
  lastError: ErrorRecord | null
  /** When the access token last handed to realtime expires and was issued (ms; null when unknown, e.g. no JWT): the refresh ahead of expiry aims before it. */
  accessToken: { expiresAt: number | null; issuedAt: number | null; authorizedAt: number | null }
  /** The last few errors, newest first (for the debug panel). */
  recentErrors: ErrorRecord[]
  /** Realtime has been down > 60 s while visible and polling is slower than 10 s. */
  alert: boolean
  /** Sources caught missing changes, by `topic` and tag (see `SilentSourceRecord`); the silent ones are polled. */
  sources: Record<string, SilentSourceRecord>
  /** The debug panel's timeline: recent transitions and latency samples, bounded. */
  history: HistoryState
  metrics: MetricsState
  crossTab: CrossTabState
  /** What per-query freshness (`selectFreshness`) is computed from. */
  freshness: FreshnessState
}

export const RECENT_ERRORS_KEPT = 10

export function initialMetrics(): MetricsState {
  return {
    connectedAt: null,
    uptimeMs: 0,
    disconnectedAt: null,
    reconnections: 0,
    reconnectTimeTotalMs: 0,
    peerReconnectWakeups: 0,
    totalSubscriptions: 0,
    messagesReceived: 0,
    messagesSent: 0,
    eventsRouted: 0,
    eventsUnmatched: 0,
    eventsMalformed: 0,
    framesMalformed: 0,
    invalidationsIssued: 0,
    invalidationsCoalesced: 0,
    readsRestarted: 0,
    readsTimedOut: 0,
    heldInvalidationRefetches: 0,
    rowsPatched: 0,
    patchesStale: 0,
    patchFallbacks: 0,
    patchFallbacksByReason: {},
    errorsByType: {},
    serverRefusals: {},
    channelsOverCapacity: 0,
    eventToInvalidationMs: emptyHistogram(),
    eventToRefetchMs: emptyHistogram(),
    pollIntervalMs: null,
    lastEventAt: null,
    tokenExpiries: 0,
    tokenRefreshesAhead: 0,
    tokenSourceFailures: 0,
    silencesDetected: 0,
    lastSilenceDetectedAfterMs: null,
    catchUpReplayed: 0,
    catchUpInvalidated: 0,
    messagesReplayed: 0,
    eventsMissed: 0,
    sourcesSilenced: 0,
  }
}

export function initialCrossTab(): CrossTabState {
  return {
    role: 'off',
    tabId: null,
    election: null,
    leaderId: null,
    leaderSince: null,
    peers: 0,
    relaysSent: 0,
    relaysReceived: 0,
    relaysApplied: 0,
    relaysDropped: 0,
  }
}

export function initialRealtimeState(enabled: boolean, visible = true, online = true): RealtimeState {
  return {
    connection: enabled ? 'idle' : 'disabled',
    connectionSince: null,
    attempt: 0,
    nextRetryAt: null,
    visible,
    online,
    channels: {},
    lastError: null,
    slowLink: false,
    accessToken: { expiresAt: null, issuedAt: null, authorizedAt: null },
    recentErrors: [],
    alert: false,
    sources: {},
    history: initialHistory(),
    metrics: initialMetrics(),
    crossTab: initialCrossTab(),
    freshness: initialFreshness(),
  }
}

export function newChannelRecord(topic: string, isPrivate: boolean): ChannelRecord {
  return {
    topic,
    state: 'idle',
    subscriberCount: 0,
    private: isPrivate,
    lastMessageAt: null,
    lastError: null,
    joinedAt: null,
    resumed: true,
    gapMs: null,
    catchUp: null,
    lostAt: null,
    joins: 0,
    attempt: 0,
    nextRetryAt: null,
  }
}
