/** The kinds of change a postgres_changes binding listens to (`'*'`: all of them). */
export type PostgresChangeKind = '*' | 'INSERT' | 'UPDATE' | 'DELETE'

/**
 * @deprecated Renamed {@link PostgresChangeKind}: one letter away from `PostgresChangesEvent`
 * (the event object), it read as the same thing. This alias goes in the next minor version.
 */
export type PostgresChangeEvent = PostgresChangeKind

/** One postgres_changes binding, as in supabase-js `channel.on('postgres_changes', …)`. */
export interface PostgresBinding {
  event: PostgresChangeKind
  schema: string
  table?: string
  /**
   * A row filter in the real server's grammar: `column=op.value` conditions joined by commas
   * (all must hold), op one of eq, neq, lt, lte, gt, gte, in, like, ilike, is, match, imatch,
   * isdistinct, each optionally prefixed with `not.`.
   */
  filter?: string
}
