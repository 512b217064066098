import type { PhoenixMessage } from '../protocol'
import { cancelPendingJoin, handleJoin } from './join'
import { persistBroadcast, persistRequested } from './persistBroadcast'
import { countMessageDelivered, countMessageSent } from './limits'
import { scheduleResubscribe } from './postgresSubscribe'
import { handlePresence } from './presenceMessage'
import {
  closeChannel,
  mayReadPrivate,
  mayWritePrivate,
  pushBroadcast,
  removeChannel,
  reply,
  scheduleTokenCheck,
  send,
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
 * leaves, `access_token`, broadcasts (`self`, `ack`) and presence. A frame for a topic the
 * socket has not joined gets the `unmatched topic` error reply (`phx_leave` gets ok); a frame
 * whose `join_ref` names an earlier join of the topic is ignored; unknown events get no reply.
 */
export function handleFrame(
  ctx: ServerContext,
  session: Session,
  message: PhoenixMessage,
  origin: FrameOrigin,
): Promise<void> | void {
  if (ctx.faults.blackholed) return
  const { topic, event } = message
  if (topic === 'phoenix') {
    if (event === 'heartbeat') return reply(ctx, session, message, 'ok')
    return reply(ctx, session, message, 'error', { reason: 'unmatched topic' })
  }
  if (event === 'phx_join') return handleJoin(ctx, session, message)
  const channel = session.channels.get(topic)
  if (!channel) {
    if (event === 'phx_leave') {
      cancelPendingJoin(ctx, session, topic)
      return reply(ctx, session, message, 'ok')
    }
    return reply(ctx, session, message, 'error', { reason: 'unmatched topic' })
  }
  if (message.join_ref !== null && message.join_ref !== channel.joinRef) {
    return ctx.logger.debug('stale join_ref ignored', { session: session.id, topic, event })
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
      return handlePresence(ctx, session, channel, message)
    default:
      ctx.logger.once(`unexpected-event:${event.slice(0, 40)}`, 'info', 'unexpected message from client', {
        event: event.slice(0, 100),
      })
  }
}

/** `access_token`: the real server answers nothing; an invalid token, or one that may no longer read, shuts the channel down. */
async function handleAccessToken(
  ctx: ServerContext,
  session: Session,
  channel: JoinedChannel,
  message: PhoenixMessage,
): Promise<void> {
  const token = (message.payload as { access_token?: unknown } | null)?.access_token
  if (typeof token !== 'string' || token.startsWith('sb_') || token === channel.token) return
  const check = ctx.auth.check(token)
  if (!check.ok) return shutdownChannel(ctx, session, channel, check.shutdownMessage)
  if (channel.isPrivate && !(await mayReadPrivate(ctx, channel.subTopic, check.claims))) {
    if (session.channels.get(channel.topic) !== channel) return
    return shutdownChannel(
      ctx,
      session,
      channel,
      `You no longer have permission to read from this Channel topic: ${channel.subTopic}`,
    )
  }
  if (session.channels.get(channel.topic) !== channel) return
  delete channel.mayWrite
  channel.token = token
  channel.claims = check.claims
  scheduleTokenCheck(ctx, session, channel)
  scheduleResubscribe(ctx, session, channel)
  ctx.logger.debug('access token updated', { session: session.id, topic: channel.topic })
}

async function handleBroadcast(
  ctx: ServerContext,
  session: Session,
  channel: JoinedChannel,
  message: PhoenixMessage,
  origin: FrameOrigin,
): Promise<void> {
  if (channel.isPrivate) {
    channel.mayWrite ??= await mayWritePrivate(ctx, channel.subTopic, channel.claims)
    // Without a write policy the real server drops the broadcast and sends no ack.
    if (!channel.mayWrite)
      return ctx.logger.debug('private broadcast dropped (no write policy)', {
        session: session.id,
        topic: channel.topic,
      })
  }
  // Relayed as sent: a text broadcast keeps every key of its payload, whatever its shape.
  const payload = message.payload as { event?: unknown; payload?: unknown } | null
  countMessageSent(ctx)
  const targets = subscribersOf(ctx, channel.topic, channel.isPrivate).filter(
    ([other]) => other !== session || channel.self,
  )
  for (const [other] of targets) {
    if (origin.binary) pushBroadcast(ctx, other, channel.topic, String(payload?.event ?? ''), payload?.payload, true)
    else
      send(ctx, other, {
        join_ref: null,
        ref: null,
        topic: channel.topic,
        event: 'broadcast',
        payload: message.payload,
      })
  }
  const stored = persistRequested(payload)
    ? await persistBroadcast(ctx, channel.subTopic, channel.isPrivate, payload?.event, payload?.payload)
    : null
  if (channel.ack) reply(ctx, session, message, 'ok', stored === null ? {} : { id: stored })
  for (const [other] of targets) countMessageDelivered(ctx, other, channel.topic)
}

/** Forgets every channel and pending join of a socket that went away. */
export function endSession(ctx: ServerContext, session: Session): void {
  for (const topic of [...session.channels.keys()]) removeChannel(ctx, session, topic)
  for (const topic of [...session.pendingJoins.keys()]) cancelPendingJoin(ctx, session, topic)
  ctx.sessions.delete(session)
}
