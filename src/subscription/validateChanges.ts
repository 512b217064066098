import type { BroadcastChanges } from './spec'

/** The event names `realtime.broadcast_changes` triggers send when they pass `TG_OP`. */
export const DEFAULT_CHANGE_EVENTS: readonly string[] = ['INSERT', 'UPDATE', 'DELETE']

function fail(path: string, problem: string): never {
  throw new TypeError(`subscribe(): ${path} ${problem}`)
}

/**
 * A table named by its schema and name, as {@link parseTableName} reads `'todos'` or `'schema.table'`.
 *
 * @internal
 */
export interface TableName {
  schema: string
  name: string
}

/**
 * C0 and C1 control characters and DEL: a line break would end a `--` comment, NUL ends a string.
 *
 * @internal
 */
// eslint-disable-next-line no-control-regex -- finding them is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/

/**
 * Postgres keeps the first 63 bytes of a name (NAMEDATALEN - 1) and drops the rest.
 *
 * @internal
 */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length
}

const TABLE_NAME = "must be a table name like 'todos' or 'schema.table'"

/**
 * The one reading of a table name that `changes.tables` and `broadcastChangesSql` share:
 * `'todos'` is `public.todos`, `'schema.table'` names both. A name with more dots, an empty part,
 * white space around a part, a control character or a part over 63 bytes is refused: the
 * result is then the problem, to follow the field's name in an error.
 *
 * @internal
 */
export function parseTableName(value: unknown): TableName | { problem: string } {
  if (typeof value !== 'string') return { problem: TABLE_NAME }
  const parts = value.split('.')
  if (parts.length > 2) return { problem: `${TABLE_NAME}, with one dot at most (got ${JSON.stringify(value)})` }
  if (parts.some((part) => part.trim() === '')) return { problem: TABLE_NAME }
  if (CONTROL_CHARACTER.test(value)) return { problem: 'must not contain control characters (line breaks, tabs, NUL)' }
  if (parts.some((part) => part.trim() !== part))
    return { problem: `must not begin or end a name with white space (got ${JSON.stringify(value)})` }
  if (parts.some((part) => utf8Length(part) > 63))
    return { problem: 'must name a schema and a table of at most 63 bytes each (Postgres cuts longer names)' }
  const [schema, name] = parts.length === 1 ? ['public', value] : (parts as [string, string])
  return { schema, name }
}

function qualifiedTable(value: unknown, path: string): string {
  const table = parseTableName(value)
  if ('problem' in table) fail(path, table.problem)
  return `${table.schema}.${table.name}`
}

/**
 * Checks a spec's `changes` (Broadcast from Database) and returns it normalised: tables
 * qualified with their schema, event names defaulted. A problem throws a `TypeError` naming the field.
 *
 * @example
 * validateChanges({ via: 'broadcast', tables: ['todos'] }, true) // { via, tables: ['public.todos'], events: [...], replay: true }
 */
export function validateChanges(changes: unknown, isPrivate: boolean): Required<BroadcastChanges> {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes))
    fail('changes', "must be an object like { via: 'broadcast', tables: ['todos'] }")
  const { via, tables, events, replay } = changes as Record<string, unknown>
  if (via !== 'broadcast') fail('changes.via', "must be 'broadcast' (the only source besides `postgres` bindings)")
  if (!isPrivate)
    fail(
      'changes',
      'needs private: true: realtime.broadcast_changes sends to private channels (RLS on realtime.messages)',
    )
  if (!Array.isArray(tables) || tables.length === 0) fail('changes.tables', 'must be a non-empty array of table names')
  const qualified = tables.map((name, index) => qualifiedTable(name, `changes.tables[${index}]`))
  if (
    events !== undefined &&
    (!Array.isArray(events) || events.length === 0 || events.some((name) => typeof name !== 'string' || name === ''))
  )
    fail('changes.events', 'must be a non-empty array of broadcast event names when given')
  if (replay !== undefined && typeof replay !== 'boolean') fail('changes.replay', 'must be a boolean')
  return {
    via: 'broadcast',
    tables: [...new Set(qualified)],
    events: [...new Set((events as string[] | undefined) ?? DEFAULT_CHANGE_EVENTS)],
    replay: replay ?? true,
  }
}
