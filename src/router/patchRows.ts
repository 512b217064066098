import type { PostgresChangesEvent, Row } from '../events/events'
import type { CompiledPatch } from './patchTypes'

/** Why a patch could not be applied: the route's `fallbackTags` are invalidated instead. */
export type FallbackReason =
  | 'PAYLOAD_ERRORS'
  | 'NO_ROW'
  | 'NO_KEY'
  | 'NO_VERSION'
  | 'NO_ARGS'
  | 'MISSING_COLUMNS'
  | 'VERSION_UNCOMPARABLE'
  | 'ORDER_UNKNOWN'
  | 'IN_FLIGHT'
  | 'NOT_CACHED'
  | 'NOT_IN_LIST'
  | 'NOT_A_LIST'
  | 'ARGS_THREW'

/** What one event asks of the cache, or why it cannot be applied from its payload alone. */
export type PatchIntent =
  | { kind: 'upsert'; key: unknown; row: Row; insert: boolean }
  | { kind: 'delete'; key: unknown }
  | { kind: 'fallback'; reason: FallbackReason }

/** What writing one event into one cached list did. */
export type ListOutcome = 'patched' | 'unchanged' | 'stale' | FallbackReason

/**
 * Reads an event's payload. Realtime reports trimmed records in `errors` (a row over the size
 * limit, a table the role may not read); RLS-filtered and TOAST-ed columns are simply absent.
 */
export function intentOf(event: PostgresChangesEvent, patch: CompiledPatch): PatchIntent {
  const errors = (event as { errors?: unknown }).errors
  if (errors !== undefined && errors !== null && !(Array.isArray(errors) && errors.length === 0))
    return { kind: 'fallback', reason: 'PAYLOAD_ERRORS' }
  const row = event.eventType === 'DELETE' ? event.old : event.new
  if (!row) return { kind: 'fallback', reason: 'NO_ROW' }
  const key = row[patch.key]
  if (key === undefined || key === null) return { kind: 'fallback', reason: 'NO_KEY' }
  if (event.eventType === 'DELETE') return { kind: 'delete', key }
  if (patch.version !== undefined && (row[patch.version] === undefined || row[patch.version] === null))
    return { kind: 'fallback', reason: 'NO_VERSION' }
  return { kind: 'upsert', key, row, insert: event.eventType === 'INSERT' }
}
