import { subscribeParams, type CatalogTable } from './catalog'
import type { Binding } from './bindings'
import { deliverToChannel } from './deliverChange'
import { pushSystem, type JoinedChannel, type ServerContext, type Session } from './session'

/** How long the real server waits before re-subscribing after an `access_token` (it picks 1–3 s at random). */
export const RESUBSCRIBE_DELAY_MS = 1_000

/**
 * Inserts a channel's postgres_changes subscriptions as the real server does after a join: all
 * of them or none (one transaction), each checked against the publication; then the system
 * message "Subscribed to PostgreSQL", or the first error. Without a catalog every entry subscribes.
 *
 * Unlike the real server, whose subscription starts with its insert a few milliseconds after
 * the join reply, the emulator's starts at the join: changes committed while it is checked are
 * held and delivered once it is live, so "SUBSCRIBED, then write" never loses a change in tests.
 */
export async function subscribePostgres(ctx: ServerContext, session: Session, channel: JoinedChannel): Promise<void> {
  const requested = channel.requested
  if (channel.requestError !== null) {
    channel.held = null
    return pushSystem(ctx, session, channel, 'postgres_changes', 'error', channel.requestError)
  }
  if (requested.length === 0) return
  const live: Binding[] = []
  for (const binding of requested) {
    if (!ctx.catalog) {
      live.push(binding)
      continue
    }
    let result
    try {
      result = await subscribeParams(ctx.catalog, binding.parsed)
    } catch (error) {
      ctx.logger.warn('subscription lookup failed', {
        topic: channel.topic,
        error: error instanceof Error ? error.message : String(error),
      })
      result = { ok: false as const, error: 'Too many database timeouts' }
    }
    if (session.channels.get(channel.topic) !== channel) return
    if (!result.ok) {
      channel.held = null
      ctx.logger.info('postgres_changes refused', { session: session.id, topic: channel.topic })
      return pushSystem(ctx, session, channel, 'postgres_changes', 'error', result.error)
    }
    live.push({
      ...binding,
      tables: new Map(result.tables.map((table: CatalogTable) => [`${table.schema}.${table.name}`, table])),
    })
  }
  if (session.channels.get(channel.topic) !== channel) return
  channel.bindings = live
  pushSystem(ctx, session, channel, 'postgres_changes', 'ok', 'Subscribed to PostgreSQL')
  const held = channel.held ?? []
  channel.held = null
  for (const change of held) deliverToChannel(ctx, session, channel, change)
}

/** Starts {@link subscribePostgres} without waiting; a failure is logged, never thrown. */
export function startSubscribe(ctx: ServerContext, session: Session, channel: JoinedChannel): void {
  subscribePostgres(ctx, session, channel).catch((error: unknown) =>
    ctx.logger.error('postgres_changes subscribe failed', {
      topic: channel.topic,
      error: error instanceof Error ? error.message : String(error),
    }),
  )
}

/** After a new `access_token`: subscribe again (claims refreshed) after the server's delay, once. */
export function scheduleResubscribe(ctx: ServerContext, session: Session, channel: JoinedChannel): void {
  if (channel.requested.length === 0 && channel.requestError === null) return
  if (channel.resubscribe !== null) ctx.clock.clearTimeout(channel.resubscribe)
  channel.resubscribe = ctx.clock.setTimeout(() => {
    channel.resubscribe = null
    if (session.channels.get(channel.topic) === channel) startSubscribe(ctx, session, channel)
  }, RESUBSCRIBE_DELAY_MS)
}
