import type { PostgresBinding } from '../events/bindings'
import type { RealtimeEvent } from '../events/events'

/** A cache tag as RTK Query writes it: `'Type'` or `{ type: 'Type', id }`. */
export type TagDescription<TagType extends string = string> = TagType | { type: TagType; id?: string | number }

/** What a subscription asks for. Everything but `onMessage` is serializable and enters an action. */
export interface SubscriptionSpec<TagType extends string = string> {
  topic: string
  postgres?: PostgresBinding[]
  /** Broadcast event names to receive (`'*'` for all). */
  broadcast?: string[]
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
