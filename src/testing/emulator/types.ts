import type { Clock } from '../../env/clock'
import type { TokenSourceOptions } from './tokenSource'
import type { PlanLimitsOption } from '../../policy/planLimits'

import type { Row } from '../../events/events'

/** A row as the emulator moves it around (the core's `Row`). */
export type { Row }

/** A column as postgres_changes describes it (`{ name, type }`, type as Postgres names it: int8, text, …). */
export interface ColumnInfo {
  name: string
  type: string
}

/** One committed row change, read from logical replication (pgoutput). */
export interface RowChange {
  schema: string
  table: string
  type: 'INSERT' | 'UPDATE' | 'DELETE'
  /** The new row (INSERT, UPDATE); null for DELETE. */
  record: Row | null
  /** The old row (UPDATE with REPLICA IDENTITY FULL, DELETE: at least the key); null for INSERT. */
  oldRecord: Row | null
  columns: ColumnInfo[]
  /** The table's primary key columns, when the source knows them (an empty list: the table has none). */
  primaryKey?: readonly string[]
  /** ISO timestamp of the commit. */
  commitTimestamp: string
}

/** Where row changes come from: a logical replication stream on real Postgres. */
export interface ChangeSource {
  /** Calls `listener` for every committed change of a watched table, in commit order; returns the cleanup. */
  onChange(listener: (change: RowChange) => void): () => void
  stop(): Promise<void>
}

/** A running Postgres: embedded (started by the emulator) or external (`DATABASE_URL`). */
export interface DatabaseHandle {
  /** `postgres://…@127.0.0.1:port/db` */
  url: string
  /** Stops an embedded server and removes its data directory; leaves an external one alone. */
  stop(): Promise<void>
}

/** Claims the emulator's JWTs carry (HS256). */
export interface JwtClaims {
  role?: string
  sub?: string
  /** Seconds since the epoch. */
  exp?: number
  [claim: string]: unknown
}

/** The kinds of frame `faults.sendMalformedFrame` sends. */
export type MalformedFrameKind = 'text' | 'binary' | 'shape'

/** Faults injected on command. Each returns once the fault is in force. */
export interface EmulatorFaults {
  /** Drops every socket abruptly (close code 1006 as the client sees it). */
  dropAllSockets(): void
  /** Refuses the next `count` WebSocket upgrades (or for `ms` when given). */
  refuseConnections(options: { count?: number; ms?: number }): void
  /** Stops answering heartbeats and joins (a half-open or blackholed server); `false` ends it. */
  blackhole(on: boolean): void
  /** Delays (ms) or drops (`'drop'`) join replies until cleared with `null`. */
  joinReplies(mode: number | 'drop' | null): void
  /** Sends `phx_error` on a topic (or on every joined topic). */
  channelError(topic?: string): void
  /**
   * Treats every token issued (`signToken`) or seen so far as expired: joined channels get the
   * system error and `phx_close`, and those tokens are refused from now on. The project API keys
   * (anon, service role) are exempt; tokens signed afterwards are valid. `reset()` lifts it.
   */
  expireTokens(): void
  /** Delays (ms) or drops (`'drop'`) postgres_changes until cleared with `null`. */
  postgresChanges(mode: number | 'drop' | null): void
  /**
   * Throttles server→client realtime traffic to `bytesPerSecond` for `ms` of the emulator's
   * clock, then heals by itself: every byte the server writes on a realtime socket (frames,
   * replies, close frames, and the upgrade answer of a socket opened meanwhile) waits in that
   * socket's queue in order, so a heartbeat reply arrives only after the frames ahead of it.
   * Client→server frames and HTTP (PostgREST, REST broadcast) are not slowed. Calling it again
   * replaces the rate and the end; `reset()` ends it at once. Bad options throw a `TypeError`.
   *
   * @example
   * emulator.faults.slowLink({ bytesPerSecond: 100, ms: 25_000 }) // a congested mobile link
   */
  slowLink(options: { bytesPerSecond: number; ms: number }): void
  /**
   * Makes the emulator's auth provider unreachable for `ms` of the emulator's clock: every
   * `tokenSource()` callback rejects until then (tokens already handed out stay valid until their
   * `exp`), then it heals by itself. Calling it again replaces the end; `reset()` ends it at once.
   * Bad options throw a `TypeError`.
   *
   * @example
   * emulator.faults.authOutage({ ms: 20_000 }) // across the expiry of short-lived tokens
   */
  authOutage(options: { ms: number }): void
  /**
   * Sends every open socket a frame the client cannot parse: `'text'` (default) is not JSON,
   * `'binary'` is a binary frame of an unknown kind, `'shape'` is JSON that is not a Phoenix message.
   */
  sendMalformedFrame(kind?: MalformedFrameKind): void
  /** Closes every socket and the listener, then listens again on the same port. */
  restartServer(): Promise<void>
  /** Clears every fault. */
  reset(): void
}

/** Options of `startRealtimeEmulator`; all optional. */
export interface StartRealtimeEmulatorOptions {
  /** Default 0: a free port. Always bound to 127.0.0.1. */
  port?: number
  /** Postgres to use; default `DATABASE_URL`, else an embedded Postgres with `wal_level=logical`. */
  databaseUrl?: string
  /** HS256 secret for every JWT; default a fixed development secret. */
  jwtSecret?: string
  /** Tables (in `public`) to watch; default every table in `public`. */
  tables?: string[]
  /** SQL run once after start (migrations, seed data). */
  setupSql?: string
  /**
   * Decides whether a user may join a private channel, overriding the database's RLS policies on
   * `realtime.messages` (used when the database has the token's role). Without either: any valid
   * token with role `authenticated`; `service_role` always may.
   */
  authorizePrivate?: (subTopic: string, claims: JwtClaims) => boolean
  /** Log what the emulator does (tag `[Emulator]`) to the console. Default false: silent. */
  verbose?: boolean
  /** The source of time for token expiry and delayed faults; default the system clock. */
  clock?: Clock
  /** Lifetime in seconds of the access tokens `/auth/v1` issues (GoTrue's JWT_EXP); default 3600. */
  accessTokenLifetimeSeconds?: number
  /**
   * Closes a socket that sent no frame for this long, on `clock` (Phoenix's websocket timeout);
   * default 60000, 0: never (for tests that jump a fake clock past it).
   */
  idleTimeoutMs?: number
  /**
   * The plan limits the realtime server enforces, as Supabase Realtime does: a plan name
   * (`'free'`, `'pro'`, `'team'`) or numbers over a plan. Default `'pro'`: 100 channels per
   * socket, 500 joins and 500 messages per second for the project (averaged over up to a minute
   * in 5 s steps). Over them a join is refused with `ChannelRateLimitReached: Too many channels`,
   * or with `ClientJoinRateLimitReached: Too many joins per second` and the socket disconnected;
   * a channel that receives a broadcast while messages are over is shut down with "Too many
   * messages per second". A bad value throws a `TypeError` naming it.
   *
   * @example
   * const emulator = await startRealtimeEmulator({ limits: { plan: 'free', channelsPerConnection: 2 } })
   */
  limits?: PlanLimitsOption
}

/** A running emulator: point `createClient(url, anonKey)` at it. */
export interface RealtimeEmulator {
  /** `http://127.0.0.1:port`: the Supabase URL (REST at `/rest/v1`, realtime at `/realtime/v1`). */
  url: string
  anonKey: string
  serviceRoleKey: string
  databaseUrl: string
  /**
   * Signs a user token: role `authenticated`, `iat` now, `exp` in an hour and a fresh `jti` (so two
   * tokens signed in the same second differ) unless the claims say otherwise.
   */
  signToken(claims: JwtClaims): string
  /**
   * A user-token callback for supabase-js's `accessToken` option (third-party auth): it signs
   * tokens that live `lifetimeMs` (default an hour) and a new one when less than a quarter of the
   * current one's life is left, and rejects while `faults.authOutage` is in force. Bad options
   * throw a `TypeError`.
   *
   * @example
   * const supabase = createClient(emulator.url, emulator.anonKey, { accessToken: emulator.tokenSource({ lifetimeMs: 30_000 }) })
   */
  tokenSource(options?: TokenSourceOptions): () => Promise<string>
  /** WebSocket connections open now (for leak checks). */
  readonly openSockets: number
  /** Topics (`realtime:…`) joined on any open socket. */
  joinedTopics(): string[]
  faults: EmulatorFaults
  stop(): Promise<void>
}
