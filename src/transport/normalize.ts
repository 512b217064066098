import type { BroadcastEvent, PostgresChangesEvent, Row } from '../events/events'
import { messageMeta } from './normalizeDatabaseBroadcast'

/** A normalised event, or why the raw payload could not be understood. */
export type NormalizeResult<E> = { ok: true; event: E } | { ok: false; reason: string }

const EVENT_TYPES = new Set(['INSERT', 'UPDATE', 'DELETE'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** supabase-js hands `{}` for "no row"; we say null. */
function rowOrNull(value: unknown): Row | null | undefined {
  if (value === undefined || value === null) return null
  if (!isRecord(value)) return undefined
  return Object.keys(value).length === 0 ? null : value
}

/** Realtime's `errors`: a non-empty list of strings, none (`null`, absent or empty), or malformed (`false`). */
function errorsOf(value: unknown): string[] | null | false {
  if (value === undefined || value === null) return null
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) return false
  return value.length === 0 ? null : [...(value as string[])]
}

/**
 * Turns a supabase-js postgres_changes callback payload into a `PostgresChangesEvent`.
 * Reasons name the field, never its content (no row data in logs). Realtime's `errors` (the
 * record was trimmed or refused) is carried as `errors` when it lists any.
 */
export function normalizePostgresChange(
  raw: unknown,
  topic: string,
  receivedAt: number,
): NormalizeResult<PostgresChangesEvent> {
  if (!isRecord(raw)) return { ok: false, reason: 'postgres_changes payload is not an object' }
  const { schema, table, eventType, commit_timestamp: commitTimestamp } = raw
  if (typeof schema !== 'string' || schema === '')
    return { ok: false, reason: 'postgres_changes payload has no schema' }
  if (typeof table !== 'string' || table === '') return { ok: false, reason: 'postgres_changes payload has no table' }
  if (typeof eventType !== 'string' || !EVENT_TYPES.has(eventType)) {
    return { ok: false, reason: 'postgres_changes payload has an unknown eventType' }
  }
  const newRow = rowOrNull(raw.new)
  const oldRow = rowOrNull(raw.old)
  if (newRow === undefined) return { ok: false, reason: 'postgres_changes payload has a non-object new row' }
  if (oldRow === undefined) return { ok: false, reason: 'postgres_changes payload has a non-object old row' }
  const errors = errorsOf(raw.errors)
  if (errors === false)
    return { ok: false, reason: 'postgres_changes payload has errors that are not a list of strings' }
  return {
    ok: true,
    event: {
      kind: 'postgres_changes',
      topic,
      receivedAt,
      schema,
      table,
      eventType: eventType as PostgresChangesEvent['eventType'],
      commitTimestamp: typeof commitTimestamp === 'string' ? commitTimestamp : null,
      new: newRow,
      old: oldRow,
      ...(errors ? { errors } : {}),
    },
  }
}

/** Turns a supabase-js broadcast callback payload (`{ type, event, payload }`) into a `BroadcastEvent`. */
export function normalizeBroadcast(raw: unknown, topic: string, receivedAt: number): NormalizeResult<BroadcastEvent> {
  if (!isRecord(raw)) return { ok: false, reason: 'broadcast payload is not an object' }
  if (typeof raw.event !== 'string' || raw.event === '')
    return { ok: false, reason: 'broadcast payload has no event name' }
  return {
    ok: true,
    event: { kind: 'broadcast', topic, receivedAt, event: raw.event, payload: raw.payload, ...messageMeta(raw) },
  }
}
