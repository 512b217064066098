import { resolvePlanLimits, type PlanLimits } from '../../../policy/planLimits'
import type { RowChange } from '../types'
import { createRateCounter, type RateCounter } from './rateCounter'
import { shutdownChannel, type ServerContext, type Session } from './session'

/** The real server's join refusal when a socket already has its plan's channels. */
export const TOO_MANY_CHANNELS = 'ChannelRateLimitReached: Too many channels'
/** The real server's join refusal while the project's joins per second are over the plan's; the socket is then disconnected. */
export const TOO_MANY_JOINS = 'ClientJoinRateLimitReached: Too many joins per second'
/** The real server's shutdown message of a channel that receives a message while the project is over its messages per second. */
export const TOO_MANY_MESSAGES = 'Too many messages per second'

/**
 * The plan limits of one server, as Supabase Realtime keeps them: channels per socket, and joins
 * and messages per second for the whole project (every socket together), each averaged by a
 * {@link RateCounter}.
 */
export interface ServerLimits {
  readonly limits: PlanLimits
  readonly joins: RateCounter
  readonly messages: RateCounter
  /** postgres_changes delivered, on a counter of their own with the same limit. */
  readonly changes: RateCounter
}

/** The limits of `option` (a plan name or numbers, default Pro); a TypeError naming `optionName` when it is not valid. */
export function createServerLimits(option: unknown, optionName = 'limits'): ServerLimits {
  const resolved = resolvePlanLimits(option, optionName)
  if (!resolved.ok) throw new TypeError(resolved.reason)
  const { limits } = resolved
  return {
    limits,
    joins: createRateCounter(limits.joinsPerSecond),
    messages: createRateCounter(limits.messagesPerSecond),
    changes: createRateCounter(limits.messagesPerSecond),
  }
}

/**
 * The limit a join on `session` meets, checked as the real server does before the token: joins
 * per second first (a join that passes is counted), then the socket's channels. Null: it may join.
 */
export function joinRefusal(ctx: ServerContext, session: Session): { reason: string; disconnect: boolean } | null {
  const now = ctx.clock.now()
  if (ctx.limits.joins.triggered(now)) return { reason: TOO_MANY_JOINS, disconnect: true }
  ctx.limits.joins.add(now)
  if (session.channels.size >= ctx.limits.limits.channelsPerConnection)
    return { reason: TOO_MANY_CHANNELS, disconnect: false }
  return null
}

/** A client broadcast pushed on a channel counts as a message of the project. */
export function countMessageSent(ctx: ServerContext): void {
  ctx.limits.messages.add(ctx.clock.now())
}

/**
 * A message delivered to a channel counts too; a channel that receives one while the project is
 * over its messages per second is shut down ("Too many messages per second", then `phx_close`),
 * after the message, as the real server's channel does.
 */
export function countMessageDelivered(ctx: ServerContext, session: Session, topic: string): void {
  const now = ctx.clock.now()
  ctx.limits.messages.add(now)
  const channel = session.channels.get(topic)
  if (channel && ctx.limits.messages.triggered(now)) shutdownChannel(ctx, session, channel, TOO_MANY_MESSAGES)
}

/**
 * Whether a row change is skipped because the project is over its messages per second: the
 * real server's replication poller then drops the changes it reads, and no error reaches anyone.
 * A change that goes out counts once per channel whose subscriptions it matches
 * ({@link countChangeDelivered}, where delivery has the channel's payloads at hand).
 */
export function skipChangeOverLimit(ctx: ServerContext, change: RowChange): boolean {
  if (!ctx.limits.changes.triggered(ctx.clock.now())) return false
  ctx.logger.once('limit:changes', 'warn', 'MessagePerSecondRateLimitReached: postgres_changes are dropped', {
    table: change.table,
  })
  return true
}

/** A change that matched a channel's subscriptions (it has payloads for it) counts once, at `now`. */
export function countChangeDelivered(ctx: ServerContext, now: number): void {
  ctx.limits.changes.add(now)
}

/**
 * The REST broadcast endpoints' rate limit, as the real server checks it before sending (after
 * validating the body): a single message is refused while the messages per second are at the
 * limit, a batch when they are over it or when the batch would take them over. The reason for a
 * 429 `{ message }`, or null; a message that goes out counts as sent.
 */
export function restBroadcastRefusal(ctx: ServerContext, batchSize: number | null): string | null {
  const now = ctx.clock.now()
  const average = ctx.limits.messages.average(now)
  const limit = ctx.limits.limits.messagesPerSecond
  if (batchSize === null ? average >= limit : average > limit) return 'You have exceeded your rate limit'
  if (batchSize !== null && batchSize + average > limit)
    return 'Too many messages to broadcast, please reduce the batch size'
  return null
}
