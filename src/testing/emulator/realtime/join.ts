import type { PhoenixMessage } from '../protocol'
import { REPLAY_HARD_LIMIT } from '../db/messageReplay'
import { parseBindings } from './bindings'
import { refuseOverLimit } from './limitRefusal'
import type { DatabaseBroadcast } from './hub'
import { startSubscribe } from './postgresSubscribe'
import { joinPresence, presenceConfig } from './presence'
import { authorizePresenceRead } from './presenceAuthorization'
import {
  closeChannel,
  mayReadPrivate,
  pushBroadcast,
  pushSystem,
  reply,
  scheduleTokenCheck,
  shutdownChannel,
  type JoinedChannel,
  type ServerContext,
  type Session,
} from './session'
import { asObject } from './payloadMap'

const TOPIC_PREFIX = 'realtime:'

interface JoinConfig {
  broadcast?: { self?: unknown; ack?: unknown; replication_ready?: unknown; replay?: unknown }
  postgres_changes?: unknown
  presence?: unknown
  private?: unknown
}

/** The reason the real server gives when a private channel's policies deny reading. */
export const unauthorizedTopic = (subTopic: string): string =>
  `You do not have permissions to read from this Channel topic: ${subTopic}`

/** The messages a join's `config.broadcast.replay` asks for, or the server's refusal text. */
async function replayFor(
  ctx: ServerContext,
  subTopic: string,
  isPrivate: boolean,
  params: unknown,
): Promise<DatabaseBroadcast[] | string> {
  if (!isPrivate) return 'Replay is not allowed for public channels'
  const { since, limit } = asObject(params)
  if (
    params === null ||
    typeof params !== 'object' ||
    !Number.isInteger(since) ||
    (limit !== undefined && limit !== null && !Number.isInteger(limit))
  ) {
    return 'Replay params are not valid'
  }
  if (!ctx.replay) return 'Realtime was unable to replay messages'
  try {
    return await ctx.replay.since(subTopic, since as number, (limit as number | null | undefined) ?? REPLAY_HARD_LIMIT)
  } catch (error) {
    ctx.logger.warn('replay failed', { topic: subTopic, error: error instanceof Error ? error.message : String(error) })
    return 'Realtime was unable to replay messages'
  }
}

/**
 * `phx_join` on a `realtime:` topic, as Supabase Realtime answers it: token check (join payload
 * `access_token`, else the socket's apikey), private channel authorization, then an ok reply that
 * echoes every `postgres_changes` entry with its server id in order, and a `system` message once
 * the bindings are live. The `joinReplies` fault delays or drops the whole join.
 */
export function handleJoin(ctx: ServerContext, session: Session, message: PhoenixMessage): Promise<void> | void {
  const mode = ctx.faults.joinReplies
  if (mode === 'drop') return ctx.logger.debug('join dropped (fault)', { session: session.id, topic: message.topic })
  if (typeof mode === 'number') {
    const previous = session.pendingJoins.get(message.topic)
    if (previous !== undefined) ctx.clock.clearTimeout(previous)
    const timer = ctx.clock.setTimeout(() => {
      if (session.pendingJoins.get(message.topic) !== timer) return
      session.pendingJoins.delete(message.topic)
      session.queue = session.queue
        .then(() => processJoin(ctx, session, message))
        .catch((error: unknown) => ctx.logger.error('join failed', { error: String(error) }))
    }, mode)
    session.pendingJoins.set(message.topic, timer)
    return
  }
  return processJoin(ctx, session, message)
}

async function processJoin(ctx: ServerContext, session: Session, message: PhoenixMessage): Promise<void> {
  const { topic } = message
  if (!topic.startsWith(TOPIC_PREFIX)) return reply(ctx, session, message, 'error', { reason: 'unmatched topic' })
  const subTopic = topic.slice(TOPIC_PREFIX.length)
  if (subTopic === '')
    return reply(ctx, session, message, 'error', { reason: 'TopicNameRequired: You must provide a topic name' })

  // Phoenix closes the previous channel of a duplicate join before joining again.
  const existing = session.channels.get(topic)
  if (existing) closeChannel(ctx, session, existing)
  if (refuseOverLimit(ctx, session, message)) return

  const payload = asObject(message.payload)
  const config = asObject(payload.config) as JoinConfig
  const given =
    typeof payload.access_token === 'string'
      ? payload.access_token
      : typeof payload.user_token === 'string'
        ? payload.user_token
        : null
  const token = given ?? session.apikey
  const check = ctx.auth.check(token)
  if (!check.ok) {
    ctx.logger.info('join refused', { session: session.id, topic, reason: check.joinReason })
    return reply(ctx, session, message, 'error', { reason: check.joinReason })
  }
  const isPrivate = config.private === true
  if (isPrivate && !(await mayReadPrivate(ctx, subTopic, check.claims))) {
    ctx.logger.info('private join refused', { session: session.id, topic })
    return reply(ctx, session, message, 'error', { reason: `Unauthorized: ${unauthorizedTopic(subTopic)}` })
  }

  const broadcast = asObject(config.broadcast)
  let replayed: DatabaseBroadcast[] = []
  if (broadcast.replay !== undefined) {
    const outcome = await replayFor(ctx, subTopic, isPrivate, broadcast.replay)
    if (typeof outcome === 'string') {
      ctx.logger.info('replay refused', { session: session.id, topic, reason: outcome })
      return reply(ctx, session, message, 'error', { reason: `UnableToReplayMessages: ${outcome}` })
    }
    replayed = outcome
  }
  const presence = presenceConfig(ctx, config.presence, isPrivate)
  if (isPrivate && presence.enabled) await authorizePresenceRead(ctx, { subTopic, claims: check.claims }, presence)
  if (session.channels.has(topic)) return // joined again while the replay was read
  const { echoed, bindings, error } = parseBindings(config.postgres_changes)
  const channel: JoinedChannel = {
    topic,
    subTopic,
    joinRef: message.join_ref,
    isPrivate,
    self: broadcast.self === true,
    ack: broadcast.ack === true,
    bindings: [],
    requested: bindings,
    requestError: error,
    resubscribe: null,
    held: bindings.length > 0 ? [] : null,
    replayed: new Set(replayed.map((entry) => entry.id)),
    deliveries: Promise.resolve(),
    checking: 0,
    token,
    claims: check.claims,
    expiry: null,
  }
  session.channels.set(topic, channel)
  scheduleTokenCheck(ctx, session, channel)
  ctx.logger.debug('joined', { session: session.id, topic, bindings: bindings.length, private: isPrivate })
  reply(ctx, session, message, 'ok', { postgres_changes: echoed })
  for (const entry of replayed)
    pushBroadcast(ctx, session, topic, entry.event, entry.payload, true, { replayed: true, id: entry.id })
  joinPresence(ctx, session, channel, presence)
  startSubscribe(ctx, session, channel)
  if (broadcast.replication_ready === true) {
    if (ctx.replicationReady) pushSystem(ctx, session, channel, 'system', 'ok', 'Replication connection established')
    else shutdownChannel(ctx, session, channel, 'Replication connection was not established in time')
  }
}

/** Cancels a join the `joinReplies` fault is still holding (the client left or went away). */
export function cancelPendingJoin(ctx: ServerContext, session: Session, topic: string): boolean {
  const timer = session.pendingJoins.get(topic)
  if (timer === undefined) return false
  ctx.clock.clearTimeout(timer)
  session.pendingJoins.delete(topic)
  return true
}
