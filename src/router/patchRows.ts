import type { PostgresChangesEvent, Row } from '../transport/events'
import type { CompiledPatch } from './patchTypes'
import { isPending as isPlaceholder } from '../optimistic/placeholderList'
import { compareVersions } from './patchVersions'
import { isRecord, sameKey } from './rowKeys'

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
export type PatchIntent = { kind: 'upsert'; key: unknown; row: Row; insert: boolean } | { kind: 'delete'; key: unknown } | { kind: 'fallback'; reason: FallbackReason }

/** What writing one event into one cached list did. */
export type ListOutcome = 'patched' | 'unchanged' | 'stale' | FallbackReason


/**
 * Reads an event's payload. Realtime reports trimmed records in `errors` (a row over the size
 * limit, a table the role may not read); RLS-filtered and TOAST-ed columns are simply absent.
 */
export function intentOf(event: PostgresChangesEvent, patch: CompiledPatch): PatchIntent {
  const errors = (event as { errors?: unknown }).errors
  if (errors !== undefined && errors !== null && !(Array.isArray(errors) && errors.length === 0)) return { kind: 'fallback', reason: 'PAYLOAD_ERRORS' }
  const row = event.eventType === 'DELETE' ? event.old : event.new
  if (!row) return { kind: 'fallback', reason: 'NO_ROW' }
  const key = row[patch.key]
  if (key === undefined || key === null) return { kind: 'fallback', reason: 'NO_KEY' }
  if (event.eventType === 'DELETE') return { kind: 'delete', key }
  if (patch.version !== undefined && (row[patch.version] === undefined || row[patch.version] === null)) return { kind: 'fallback', reason: 'NO_VERSION' }
  return { kind: 'upsert', key, row, insert: event.eventType === 'INSERT' }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return JSON.stringify(a) === JSON.stringify(b)
}

function sameRow(item: Record<string, unknown>, row: Row): boolean {
  const keys = Object.keys(row)
  return keys.length === Object.keys(item).length && keys.every((column) => column in item && sameValue(item[column], row[column]))
}

/** A column the list's rows carry that this row lacks (TOAST-ed, or not visible to the role): writing it would lose data. */
function missesColumns(reference: Record<string, unknown> | undefined, row: Row): boolean {
  if (!reference) return false
  for (const column of Object.keys(reference)) if (!(column in row)) return true
  return false
}

/**
 * Upserts a row into a cached list (an immer draft), last write wins on `patch.version`. A
 * placeholder with the row's key is replaced in place; an incomplete row is never written. Only
 * an INSERT (`insert`) adds a row: an UPDATE of a row the list lacks may belong to another page
 * or have just moved into the list's filter, which only a refetch can tell.
 */
export function upsertRow(list: unknown[], key: unknown, row: Row, patch: CompiledPatch, insert: boolean): ListOutcome {
  const index = list.findIndex((item) => isRecord(item) && sameKey(item[patch.key], key))
  if (index < 0 && !insert) return 'NOT_IN_LIST'
  const existing = index >= 0 && !isPlaceholder(list[index]) ? (list[index] as Record<string, unknown>) : undefined
  if (existing && patch.version !== undefined) {
    const order = compareVersions(row[patch.version], existing[patch.version])
    if (order === null) return 'VERSION_UNCOMPARABLE'
    if (order < 0) return 'stale'
  }
  const reference = existing ?? (list.find((item) => isRecord(item) && !isPlaceholder(item)) as Record<string, unknown> | undefined)
  if (missesColumns(reference, row)) return 'MISSING_COLUMNS'
  if (existing && sameRow(existing, row)) return 'unchanged'
  const written = { ...row }
  if (index >= 0) list[index] = written
  else if (patch.insertAt === 'start') list.unshift(written)
  else list.push(written)
  if (patch.sort) list.sort(patch.sort)
  return 'patched'
}

/** Removes every item with the key from a cached list (an immer draft). */
export function deleteRow(list: unknown[], key: unknown, patch: CompiledPatch): ListOutcome {
  let removed = false
  for (let index = list.length - 1; index >= 0; index--) {
    const item = list[index]
    if (isRecord(item) && sameKey(item[patch.key], key)) {
      list.splice(index, 1)
      removed = true
    }
  }
  return removed ? 'patched' : 'unchanged'
}
