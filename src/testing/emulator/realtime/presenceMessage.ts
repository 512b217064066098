import { isDeepStrictEqual } from 'node:util'
import type { PhoenixMessage } from '../protocol'
import { channelPresence, trackPresence, untrackPresence } from './presence'
import { mayTrack } from './presenceAuthorization'
import {
  removeChannel,
  reply,
  send,
  shutdownChannel,
  type JoinedChannel,
  type ServerContext,
  type Session,
} from './session'
import { isMap } from './payloadMap'

/** The server's client presence rate limit: 5 track/untrack calls per 30 s window per channel. */
const CLIENT_PRESENCE_LIMIT = { maxCalls: 5, windowMs: 30_000 } as const
/** `max_payload_size_in_kb` (3000) plus the server's 500 bytes of padding. */
const MAX_TRACK_BYTES = 3_000 * 1_000 + 500

/** Counts one call in the channel's window; false once the window's calls are used up. */
function withinClientLimit(ctx: ServerContext, channel: JoinedChannel): boolean {
  const state = channelPresence(channel)
  const now = ctx.clock.now()
  if (state.resetAt === null || now > state.resetAt) {
    state.calls = 1
    state.resetAt = now + CLIENT_PRESENCE_LIMIT.windowMs
    return true
  }
  if (state.calls >= CLIENT_PRESENCE_LIMIT.maxCalls) return false
  state.calls += 1
  return true
}

/** The channel process crashes on this frame (a non-string event): the client gets `phx_error`. */
function crashChannel(ctx: ServerContext, session: Session, channel: JoinedChannel): void {
  ctx.logger.once('presence-event-type', 'warn', 'a presence push whose event is not a string crashed its channel')
  removeChannel(ctx, session, channel.topic)
  const { joinRef, topic } = channel
  send(ctx, session, { join_ref: joinRef, ref: joinRef, topic, event: 'phx_error', payload: {} })
}

async function track(
  ctx: ServerContext,
  session: Session,
  channel: JoinedChannel,
  message: PhoenixMessage,
  push: Record<string, unknown>,
): Promise<void> {
  if (!(await mayTrack(ctx, channel, channelPresence(channel)))) return reply(ctx, session, message, 'error')
  if (session.channels.get(channel.topic) !== channel) return
  const payload = 'payload' in push ? push.payload : {}
  if (!isMap(payload)) {
    ctx.logger.once('presence-payload', 'info', 'InvalidPresencePayload: a track payload is not a map')
    return reply(ctx, session, message, 'error', { reason: 'Presence track payload must be a map' })
  }
  const state = channelPresence(channel)
  if (state.tracked && isDeepStrictEqual(state.tracked.payload, payload)) return reply(ctx, session, message, 'ok')
  if (Buffer.byteLength(JSON.stringify(payload)) > MAX_TRACK_BYTES)
    return shutdownChannel(ctx, session, channel, 'Track message size exceeded')
  trackPresence(ctx, channel, payload)
  reply(ctx, session, message, 'ok')
}

/**
 * A client `presence` push, answered as the real server's PresenceHandler: a payload without an
 * `event` is ok and does nothing; `track` / `untrack` (any case) count against the client rate
 * limit (the 6th call in 30 s shuts the channel down: "Client presence rate limit exceeded");
 * a track payload that is not a map gets `{reason: "Presence track payload must be a map"}`, an
 * unchanged one is a no-op, an oversized one shuts the channel down ("Track message size
 * exceeded"); unknown events get an error reply; a private channel without a presence write
 * policy gets an error reply.
 */
export async function handlePresence(
  ctx: ServerContext,
  session: Session,
  channel: JoinedChannel,
  message: PhoenixMessage,
): Promise<void> {
  const push = message.payload
  if (!isMap(push) || !('event' in push)) return reply(ctx, session, message, 'ok')
  if (typeof push.event !== 'string') return crashChannel(ctx, session, channel)
  if (!withinClientLimit(ctx, channel)) {
    ctx.logger.info('ClientPresenceRateLimitReached', { session: session.id, topic: channel.topic })
    return shutdownChannel(ctx, session, channel, 'Client presence rate limit exceeded')
  }
  switch (push.event.toLowerCase()) {
    case 'track':
      return track(ctx, session, channel, message, push)
    case 'untrack':
      untrackPresence(ctx, channel)
      return reply(ctx, session, message, 'ok')
    default:
      ctx.logger.once(`presence-event:${push.event.slice(0, 40)}`, 'info', 'UnknownPresenceEvent', {
        event: push.event.slice(0, 100),
      })
      return reply(ctx, session, message, 'error')
  }
}
