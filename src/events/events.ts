/** A row as delivered by postgres_changes. */
export type Row = Record<string, unknown>

/** A database change on a subscribed topic, normalised from supabase-js's payload. */
export interface PostgresChangesEvent {
  kind: 'postgres_changes'
  topic: string
  /** Local receive time (injected clock), for latency metrics. */
  receivedAt: number
  schema: string
  table: string
  eventType: 'INSERT' | 'UPDATE' | 'DELETE'
  commitTimestamp: string | null
  /** The new row (INSERT, UPDATE); null for DELETE. */
  new: Row | null
  /** The old row (UPDATE with replica identity, DELETE: at least the primary key); null for INSERT. */
  old: Row | null
  /**
   * What Realtime reported about the record (`payload.errors`): present only when the server
   * trimmed or refused it (a record over the size limit, a table the role may not read), in which
   * case the rows are incomplete. Absent when the payload said `null` (or nothing).
   */
  errors?: string[] | null
  /** How the change arrived: absent for postgres_changes, `'broadcast'` for Broadcast from Database (`realtime.broadcast_changes`). */
  via?: 'broadcast'
  /** The broadcast message's id (`meta.id`), when the server gave one: a replayed duplicate is recognised by it. */
  messageId?: string
  /** True when the server replayed the message at a join (`meta.replayed`) rather than sending it live. */
  replayed?: boolean
}

/** A broadcast message on a subscribed topic. */
export interface BroadcastEvent {
  kind: 'broadcast'
  topic: string
  receivedAt: number
  event: string
  payload: unknown
  /** The message's id (`meta.id`), when the server gave one (messages stored in `realtime.messages`). */
  messageId?: string
  /** True when the server replayed the message at a join (`meta.replayed`). */
  replayed?: boolean
}

/** Everything a route can be matched against. */
export type RealtimeEvent = PostgresChangesEvent | BroadcastEvent
