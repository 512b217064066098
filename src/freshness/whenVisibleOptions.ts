import type { TagDescription } from '../subscription/spec'

/** What {@link WhenVisible} waits for, and how long. */
export interface WhenVisibleOptions {
  /** The table written (postgres_changes, or Broadcast from Database): `'todos'` (schema `public`) or `'schema.table'`. */
  table: string
  /** The written row's key (its `keyField`). */
  key: string | number
  /** The field that identifies rows in cached lists. Default: the key of a patch route of `table`, else `'id'`. */
  keyField?: string
  /** The version written: the row counts only once its `versionField` is at least this (numbers, bigint strings, timestamps). */
  version?: string | number
  /** The field holding the row version. Default: the version of a patch route of `table`, else `'updated_at'`. */
  versionField?: string
  /** After this long (injected clock) the covering tags are invalidated and the wait ends `'timed-out'`. Default 10000. */
  timeoutMs?: number
  /** The tags whose queries may hold the row. Default: the tags of the subscriptions listening to `table`, by a postgres binding or `changes.tables` (all of them if none does). */
  tags?: TagDescription[]
  /** Aborting rejects the wait with the signal's reason. */
  signal?: AbortSignal
}

/** How a wait ended: the row is in the cache, the timeout passed (its tags were invalidated), or realtime stopped. */
export type WhenVisibleResult = 'visible' | 'timed-out' | 'stopped'

/**
 * Read-your-writes: resolves once the written row (with that key, and at least that version) is
 * in a cached query, whether realtime delivered it or a refetch did.
 *
 * @example
 * const { data } = await supabase.from('todos').update({ done: true }).eq('id', id).select().single()
 * if ((await realtime.whenVisible({ table: 'todos', key: id, version: data.updated_at })) === 'timed-out') notifySlow()
 */
export type WhenVisible = (options: WhenVisibleOptions) => Promise<WhenVisibleResult>

/** Default wait of `whenVisible` (10 s). */
export const DEFAULT_WHEN_VISIBLE_TIMEOUT_MS = 10_000

const isKey = (value: unknown): value is string | number =>
  (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value))

const isField = (value: unknown) => value === undefined || (typeof value === 'string' && value !== '')

/** Checks `whenVisible` options at the call site: a TypeError naming the field. @internal */
export function validateWhenVisible(options: unknown): asserts options is WhenVisibleOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('whenVisible(options): options { table, key } are required')
  const { table, key, keyField, version, versionField, timeoutMs, tags, signal } = options as Record<string, unknown>
  if (typeof table !== 'string' || table === '')
    throw new TypeError('whenVisible(): options.table must be the name of the table written')
  if (key === undefined || key === null) throw new TypeError('whenVisible(): options.key is required (the row’s key)')
  if (!isKey(key)) throw new TypeError('whenVisible(): options.key must be a non-empty string or a finite number')
  if (!isField(keyField)) throw new TypeError('whenVisible(): options.keyField must be a non-empty field name')
  if (!isField(versionField)) throw new TypeError('whenVisible(): options.versionField must be a non-empty field name')
  if (version !== undefined && !isKey(version))
    throw new TypeError('whenVisible(): options.version must be a number or a string (a bigint or a timestamp)')
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new TypeError('whenVisible(): options.timeoutMs must be a positive number of milliseconds')
  if (tags !== undefined && !Array.isArray(tags))
    throw new TypeError('whenVisible(): options.tags must be an array of tags')
  const abortable = signal as { aborted?: unknown; addEventListener?: unknown } | undefined
  if (
    signal !== undefined &&
    (typeof abortable?.aborted !== 'boolean' || typeof abortable.addEventListener !== 'function')
  )
    throw new TypeError('whenVisible(): options.signal must be an AbortSignal')
}
