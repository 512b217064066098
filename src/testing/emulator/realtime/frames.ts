import type { PhoenixMessage } from '../protocol'
import { cancelPendingJoin, handleJoin, unauthorizedTopic } from './join'
import { scheduleResubscribe } from './postgresSubscribe'
import {
  closeChannel,
  mayJoinPrivate,
  pushBroadcast,
  removeChannel,
  reply,
  scheduleTokenCheck,
  shutdownChannel,
  subscribersOf,
  type JoinedChannel,
  type ServerContext,
  type Session,
} from './session'

/** Where a client broadcast came from: a binary kind 3 frame is relayed as binary kind 4. */
export interface FrameOrigin {
  binary: boolean
}

/**
 * Handles one decoded client frame as Phoenix and Supabase Realtime do: heartbeats, joins,
 * leaves, `access_token`, broadcasts (`self`, `ack`) and presence. Frames for a topic the socket
 * has not joined get the `unmatched topic` error reply; unknown events get an error reply.
 */
export function handleFrame(ctx: ServerContext, session: Session, message: PhoenixMessage, origin: FrameOrigin): void {
  if (ctx.faults.blackholed) return
  const { topic, event } = message
  if (topic === 'phoenix') {
    if (event === 'heartbeat') return reply(ctx, session, message, 'ok')
    return reply(ctx, session, message, 'error', { reason: 'unmatched topic' })
  }
  if (event === 'phx_join') return handleJoin(ctx, session, message)
  const channel = session.channels.get(topic)
  if (!channel) {
    if (event === 'phx_leave' && cancelPendingJoin(ctx, session, topic)) return reply(ctx, session, message, 'ok')
    return reply(ctx, session, message, 'error', { reason: 'unmatched topic' })
  }
  switch (event) {
    case 'phx_leave':
      reply(ctx, session, message, 'ok')
      return closeChannel(ctx, session, channel)
    case 'access_token':
      return handleAccessToken(ctx, session, channel, message)
    case 'broadcast':
      return handleBroadcast(ctx, session, channel, message, origin)
    case 'presence':
      return reply(ctx, session, message, 'ok')
    default:
      if (message.ref !== null) reply(ctx, session, message, 'error', { reason: `unknown event "${event.slice(0, 100)}"` })
  }
}

/** `access_token`: the real server answers nothing; an invalid token shuts the channel down. */
function handleAccessToken(ctx: ServerContext, session: Session, channel: JoinedChannel, message: PhoenixMessage): void {
  const token = (message.payload as { access_token?: unknown } | null)?.access_token
  if (typeof token !== 'string' || token.startsWith('sb_') || token === channel.token) return
  const check = ctx.auth.check(token)
  if (!check.ok) return shutdownChannel(ctx, session, channel, check.shutdownMessage)
  if (channel.isPrivate && !mayJoinPrivate(ctx, channel.subTopic, check.claims)) {
    return shutdownChannel(ctx, session, channel, unauthorizedTopic(channel.subTopic))
  }
  channel.token = token
  channel.claims = check.claims
  scheduleTokenCheck(ctx, session, channel)
  scheduleResubscribe(ctx, session, channel)
  ctx.logger.debug('access token updated', { session: session.id, topic: channel.topic })
}

function handleBroadcast(ctx: ServerContext, session: Session, channel: JoinedChannel, message: PhoenixMessage, origin: FrameOrigin): void {
  const payload = message.payload as { event?: unknown; payload?: unknown } | null
  if (payload === null || typeof payload !== 'object' || typeof payload.event !== 'string') {
    if (message.ref !== null) reply(ctx, session, message, 'error', { reason: 'broadcast needs a payload with a string event' })
    return
  }
  for (const [other] of subscribersOf(ctx, channel.topic, channel.isPrivate)) {
    if (other !== session || channel.self) pushBroadcast(ctx, other, channel.topic, payload.event, payload.payload, origin.binary)
  }
  if (channel.ack) reply(ctx, session, message, 'ok')
}

/** Forgets every channel and pending join of a socket that went away. */
export function endSession(ctx: ServerContext, session: Session): void {
  for (const topic of [...session.channels.keys()]) removeChannel(ctx, session, topic)
  for (const topic of [...session.pendingJoins.keys()]) cancelPendingJoin(ctx, session, topic)
  ctx.sessions.delete(session)
}
