import type { RowChange } from '../types'
import { channelPayloads, tableOf, type ChangePayload } from './bindings'
import { send, type JoinedChannel, type ServerContext, type Session } from './session'

function push(ctx: ServerContext, session: Session, channel: JoinedChannel, payloads: readonly ChangePayload[]): void {
  for (const payload of payloads) {
    send(ctx, session, { join_ref: null, ref: null, topic: channel.topic, event: 'postgres_changes', payload })
  }
}

/**
 * Delivers one change to one channel, in commit order per channel. On a table with row-level
 * security an INSERT or UPDATE is delivered only if the subscriber's role and claims can SELECT
 * the row (checked in the database, so delivery waits for it); other changes go out at once
 * unless earlier ones of the channel are still being checked. `payloads` are the change's payloads
 * for the channel, when the caller has built them already.
 */
export function deliverToChannel(
  ctx: ServerContext,
  session: Session,
  channel: JoinedChannel,
  change: RowChange,
  payloads: readonly ChangePayload[] = channelPayloads(channel.bindings, change),
): void {
  const table = tableOf(channel.bindings, change)
  const check = table?.rls && change.type !== 'DELETE' && change.record && ctx.rowVisibility ? ctx.rowVisibility : null
  if (!check && channel.checking === 0) return push(ctx, session, channel, payloads)
  channel.checking += 1
  const claims = channel.claims
  channel.deliveries = channel.deliveries
    .then(async () => {
      const visible = check && table && change.record ? await check.visible(table, change.record, claims) : null
      if (visible !== false) push(ctx, session, channel, payloads)
    })
    .catch((error: unknown) =>
      ctx.logger.warn('RLS check of a change failed; not delivered', {
        topic: channel.topic,
        error: error instanceof Error ? error.message : String(error),
      }),
    )
    .finally(() => {
      channel.checking -= 1
    })
}
