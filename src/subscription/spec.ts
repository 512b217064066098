import type { PostgresBinding } from '../events/bindings'
import type { RealtimeEvent } from '../events/events'

/** A cache tag as RTK Query writes it: `'Type'` or `{ type: 'Type', id }`. */
export type TagDescription<TagType extends string = string> = TagType | { type: TagType; id?: string | number }

/**
 * Table changes that arrive as Broadcast from Database: `realtime.broadcast_changes` triggers
 * sending each row change to this (private) topic. Each message becomes the same
 * `PostgresChangesEvent` a postgres_changes binding delivers (with `via: 'broadcast'`), so
 * `on: { table }` routes and patch routes apply unchanged. `broadcastChangesSql` writes the
 * triggers and policies.
 *
 * @example
 * realtime.subscribe({
 *   topic: 'project:123',
 *   private: true,
 *   changes: { via: 'broadcast', tables: ['generations'] },
 *   tags: [{ type: 'Generations', id: 'project:123' }],
 * })
 */
export interface BroadcastChanges {
  via: 'broadcast'
  /** The tables whose changes the triggers send here: `'todos'` (schema `public`) or `'schema.table'`. */
  tables: string[]
  /** The broadcast event names the triggers use; default `['INSERT', 'UPDATE', 'DELETE']` (`TG_OP`). */
  events?: string[]
  /**
   * After a gap, ask the server to replay the messages missed instead of refetching the topic's
   * tags (default true; used only when every binding on the topic is stored by the database).
   */
  replay?: boolean
}

/** What a subscription asks for. Everything but `onMessage` is serializable and enters an action. */
export interface SubscriptionSpec<TagType extends string = string> {
  topic: string
  postgres?: PostgresBinding[]
  /** Broadcast event names to receive (`'*'` for all). */
  broadcast?: string[]
  /** Table changes sent by Broadcast from Database triggers to this private topic. */
  changes?: BroadcastChanges
  /** The tags this subscription keeps fresh: invalidated after a gap and polled while realtime is down. */
  tags?: Array<TagDescription<TagType>>
  /** A private channel: needs a signed-in session and RLS on `realtime.messages`. */
  private?: boolean
  broadcastOptions?: { self?: boolean; ack?: boolean }
  /** Called for every event on this topic that matches this subscription's bindings. */
  onMessage?: (event: RealtimeEvent) => void
}

/** The serializable part of a spec. */
export type SerializableSpec<TagType extends string = string> = Omit<SubscriptionSpec<TagType>, 'onMessage'>

/** A live subscription. `unsubscribe()` is idempotent. */
export interface SubscriptionHandle {
  readonly id: string
  readonly topic: string
  unsubscribe(): void
}
