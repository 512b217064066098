import type { PostgresChangesEvent, Row } from '../events/events'
import type { NormalizeResult } from './normalize'

const OPERATIONS = new Set(['INSERT', 'UPDATE', 'DELETE'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `record` / `old_record` of `realtime.broadcast_changes`: a row or JSON null (`undefined` when malformed). */
function rowOf(value: unknown): Row | null | undefined {
  if (value === null || value === undefined) return null
  return isRecord(value) ? value : undefined
}

/** A broadcast message's `meta` (`{ id, replayed }`), as the fields an event carries. */
export function messageMeta(raw: Record<string, unknown>): { messageId?: string; replayed?: boolean } {
  const meta = raw.meta
  if (!isRecord(meta)) return {}
  return {
    ...(typeof meta.id === 'string' && meta.id !== '' ? { messageId: meta.id } : {}),
    ...(meta.replayed === true ? { replayed: true } : {}),
  }
}

/**
 * Turns a Broadcast from Database message (the payload `realtime.broadcast_changes` builds:
 * `{ schema, table, operation, record, old_record }`) into the `PostgresChangesEvent` a
 * postgres_changes binding delivers, marked `via: 'broadcast'`. Reasons name the field, never its
 * content (no row data in logs).
 */
export function normalizeDatabaseBroadcast(
  raw: unknown,
  topic: string,
  receivedAt: number,
): NormalizeResult<PostgresChangesEvent> {
  if (!isRecord(raw) || !isRecord(raw.payload))
    return { ok: false, reason: 'broadcast_changes message has no payload object' }
  const { schema, table, operation, record, old_record: oldRecord } = raw.payload
  if (typeof schema !== 'string' || schema === '')
    return { ok: false, reason: 'broadcast_changes payload has no schema' }
  if (typeof table !== 'string' || table === '') return { ok: false, reason: 'broadcast_changes payload has no table' }
  if (typeof operation !== 'string' || !OPERATIONS.has(operation))
    return { ok: false, reason: 'broadcast_changes payload has an unknown operation' }
  const newRow = rowOf(record)
  const oldRow = rowOf(oldRecord)
  if (newRow === undefined) return { ok: false, reason: 'broadcast_changes payload has a non-object record' }
  if (oldRow === undefined) return { ok: false, reason: 'broadcast_changes payload has a non-object old_record' }
  if (operation !== 'DELETE' && newRow === null)
    return { ok: false, reason: `broadcast_changes ${operation} payload has no record` }
  if (operation === 'DELETE' && oldRow === null)
    return { ok: false, reason: 'broadcast_changes DELETE payload has no old_record' }
  return {
    ok: true,
    event: {
      kind: 'postgres_changes',
      topic,
      receivedAt,
      schema,
      table,
      eventType: operation as PostgresChangesEvent['eventType'],
      commitTimestamp: null,
      new: operation === 'DELETE' ? null : newRow,
      old: operation === 'INSERT' ? null : oldRow,
      via: 'broadcast',
      ...messageMeta(raw),
    },
  }
}
