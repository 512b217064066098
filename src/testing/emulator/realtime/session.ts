import type { WebSocket } from 'ws'
import type { Clock, TimerHandle } from '../../../env/clock'
import type { Logger } from '../../../env/logger'
import type { FaultState } from '../faults'
import { encodeTextFrame, encodeUserBroadcast, type PhoenixMessage, type Vsn } from '../protocol'
import type { JwtClaims, RowChange } from '../types'
import type { TokenAuthority } from './auth'
import type { Binding } from './bindings'
import type { MessagePolicies } from '../db/messagePolicies'
import type { MessageReplay } from '../db/messageReplay'
import type { RowVisibility } from '../db/rowVisibility'
import type { SubscriptionCatalog } from './catalog'
import type { ServerLimits } from './limits'

/** A channel one socket has joined. */
export interface JoinedChannel {
  /** `realtime:room` */
  topic: string
  /** `room` */
  subTopic: string
  joinRef: string | null
  isPrivate: boolean
  self: boolean
  ack: boolean
  /** The postgres_changes subscriptions that are live (empty until "Subscribed to PostgreSQL"). */
  bindings: Binding[]
  /** What the join asked for (subscribed again after an `access_token`). */
  requested: Binding[]
  /** The first entry the server refused to parse: nothing subscribes. */
  requestError: string | null
  /** A pending re-subscribe after an `access_token`. */
  resubscribe: TimerHandle | null
  /** Ids of the messages replayed at join: the same messages arriving live are not sent again. */
  replayed: Set<string>
  /** Deliveries waiting for an RLS check, in commit order, and how many. */
  deliveries: Promise<void>
  checking: number
  /** Whether the token may send here (checked on the first broadcast, as the real server caches its policies). */
  mayWrite?: boolean
  /** Changes that arrived while the join's subscriptions were being checked (delivered once they are live). */
  held: RowChange[] | null
  token: string
  claims: JwtClaims
  expiry: TimerHandle | null
  /** What ends with the channel, once it is no longer joined (its tracked presence leaves). */
  onRemoved?: () => void
}

/** One WebSocket connection and the channels it joined. */
export interface Session {
  id: number
  vsn: Vsn
  socket: WebSocket
  /** The `apikey` the socket connected with (the token of joins that carry none). */
  apikey: string
  channels: Map<string, JoinedChannel>
  /** Joins whose processing a fault delays, by topic. */
  pendingJoins: Map<string, TimerHandle>
  /** Frames are handled one after another (a join may wait for the database). */
  queue: Promise<void>
}

/** Decides whether `claims` may join the private channel `subTopic` (default: role `authenticated`). */
export type AuthorizePrivate = (subTopic: string, claims: JwtClaims) => boolean

/** What the frame handlers share. */
export interface ServerContext {
  clock: Clock
  logger: Logger
  auth: TokenAuthority
  faults: FaultState
  authorizePrivate?: AuthorizePrivate
  /** The publication's tables, to check subscriptions against; without it every subscription is accepted. */
  catalog?: SubscriptionCatalog
  /** Private broadcasts read back for `config.broadcast.replay` (needs the database). */
  replay?: MessageReplay
  /** RLS checks of changed rows for postgres_changes (needs the database). */
  rowVisibility?: RowVisibility
  /** RLS checks on `realtime.messages` for private channels (needs the database). */
  policies?: MessagePolicies
  /** Whether Broadcast from Database is streaming (`replication_ready` joins are told so). */
  replicationReady?: boolean
  /** The plan's channels per socket, joins and messages per second. */
  limits: ServerLimits
  sessions: Set<Session>
}

const OPEN = 1
/** The real server confirms a joined channel's token every 5 minutes, and at its expiry. */
const CONFIRM_TOKEN_INTERVAL_MS = 300_000

/** Sends a text frame in the socket's serializer; nothing while blackholed or once the socket is closing. */
export function send(ctx: ServerContext, session: Session, message: PhoenixMessage): void {
  if (ctx.faults.blackholed || session.socket.readyState !== OPEN) return
  session.socket.send(encodeTextFrame(session.vsn, message))
}

/** Answers a client push (`phx_reply` with the push's refs). */
export function reply(
  ctx: ServerContext,
  session: Session,
  to: PhoenixMessage,
  status: 'ok' | 'error',
  response: Record<string, unknown> = {},
): void {
  send(ctx, session, {
    join_ref: to.join_ref,
    ref: to.ref,
    topic: to.topic,
    event: 'phx_reply',
    payload: { status, response },
  })
}

/**
 * Pushes a user broadcast: kind 4 binary to vsn 2.0.0 sockets when it came in binary (or from the
 * database), JSON text otherwise; `meta` (the message id of a broadcast from the database) rides along.
 */
export function pushBroadcast(
  ctx: ServerContext,
  session: Session,
  topic: string,
  event: string,
  payload: unknown,
  binary: boolean,
  meta?: Record<string, unknown>,
): void {
  if (binary && session.vsn === '2.0.0') {
    if (ctx.faults.blackholed || session.socket.readyState !== OPEN) return
    let frame: ArrayBuffer
    try {
      frame = encodeUserBroadcast(topic, event, payload, meta)
    } catch {
      return ctx.logger.once(
        'broadcast-too-long',
        'warn',
        'a binary broadcast whose topic or event is over 255 bytes was not relayed',
        { topic: topic.slice(0, 64) },
      )
    }
    session.socket.send(frame)
    return
  }
  if (payload instanceof ArrayBuffer) return // vsn 1.0.0 cannot carry raw bytes (the real server skips them too)
  send(ctx, session, {
    join_ref: null,
    ref: null,
    topic,
    event: 'broadcast',
    payload: { type: 'broadcast', event, payload, ...(meta ? { meta } : {}) },
  })
}

/** Pushes a `system` message on a joined channel. */
export function pushSystem(
  ctx: ServerContext,
  session: Session,
  channel: JoinedChannel,
  extension: string,
  status: 'ok' | 'error',
  message: string,
): void {
  const payload = { extension, status, message, channel: channel.subTopic }
  send(ctx, session, { join_ref: channel.joinRef, ref: null, topic: channel.topic, event: 'system', payload })
}

/** Forgets a joined channel and its timers. */
export function removeChannel(ctx: ServerContext, session: Session, topic: string): JoinedChannel | undefined {
  const channel = session.channels.get(topic)
  if (!channel) return undefined
  if (channel.expiry !== null) ctx.clock.clearTimeout(channel.expiry)
  if (channel.resubscribe !== null) ctx.clock.clearTimeout(channel.resubscribe)
  channel.expiry = null
  channel.resubscribe = null
  session.channels.delete(topic)
  channel.onRemoved?.()
  return channel
}

/** Ends a channel from the server side: `phx_close` with its join_ref, then it is no longer joined. */
export function closeChannel(ctx: ServerContext, session: Session, channel: JoinedChannel): void {
  removeChannel(ctx, session, channel.topic)
  send(ctx, session, {
    join_ref: channel.joinRef,
    ref: channel.joinRef,
    topic: channel.topic,
    event: 'phx_close',
    payload: {},
  })
}

/** The real server's `shutdown_response`: a `system` error with the reason, then `phx_close`. */
export function shutdownChannel(ctx: ServerContext, session: Session, channel: JoinedChannel, message: string): void {
  ctx.logger.info('channel shut down', { session: session.id, topic: channel.topic, reason: message })
  pushSystem(ctx, session, channel, 'system', 'error', message)
  closeChannel(ctx, session, channel)
}

/** Re-checks the channel's token every 5 minutes and when it expires, and shuts the channel down if it is no longer valid. */
export function scheduleTokenCheck(ctx: ServerContext, session: Session, channel: JoinedChannel): void {
  if (channel.expiry !== null) ctx.clock.clearTimeout(channel.expiry)
  channel.expiry = null
  const remaining = ctx.auth.expiresInMs(channel.claims)
  if (remaining === Infinity) return
  channel.expiry = ctx.clock.setTimeout(
    () => {
      channel.expiry = null
      if (session.channels.get(channel.topic) !== channel) return
      const check = ctx.auth.check(channel.token)
      if (check.ok) scheduleTokenCheck(ctx, session, channel)
      else shutdownChannel(ctx, session, channel, check.shutdownMessage)
    },
    Math.min(remaining + 1, CONFIRM_TOKEN_INTERVAL_MS),
  )
}

/**
 * Whether these claims may read (join, stay on, receive) a private channel: `service_role`
 * always; else the `authorizePrivate` override; else the database's RLS policies on
 * `realtime.messages` when it has the token's role; else role `authenticated`.
 */
export async function mayReadPrivate(ctx: ServerContext, subTopic: string, claims: JwtClaims): Promise<boolean> {
  if (claims.role === 'service_role') return true
  if (ctx.authorizePrivate) return ctx.authorizePrivate(subTopic, claims)
  const byPolicy = ctx.policies ? await ctx.policies.allows('read', subTopic, claims) : null
  return byPolicy ?? claims.role === 'authenticated'
}

/** Whether these claims may send on a private channel (RLS INSERT policies; allowed without them, or with the override). */
export async function mayWritePrivate(ctx: ServerContext, subTopic: string, claims: JwtClaims): Promise<boolean> {
  if (claims.role === 'service_role' || ctx.authorizePrivate || !ctx.policies) return true
  return (await ctx.policies.allows('write', subTopic, claims)) ?? true
}

/** Every socket's channel on `topic` with that privacy (public and private channels of one name never mix). */
export function subscribersOf(ctx: ServerContext, topic: string, isPrivate: boolean): [Session, JoinedChannel][] {
  const out: [Session, JoinedChannel][] = []
  for (const session of ctx.sessions) {
    const channel = session.channels.get(topic)
    if (channel && channel.isPrivate === isPrivate) out.push([session, channel])
  }
  return out
}
