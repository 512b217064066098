import type { BroadcastChanges } from './spec'

/** The event names `realtime.broadcast_changes` triggers send when they pass `TG_OP`. */
export const DEFAULT_CHANGE_EVENTS: readonly string[] = ['INSERT', 'UPDATE', 'DELETE']

function fail(path: string, problem: string): never {
  throw new TypeError(`subscribe(): ${path} ${problem}`)
}

/** `'todos'` means `public.todos`; `'schema.table'` names both. */
function qualifiedTable(name: unknown, path: string): string {
  if (typeof name !== 'string' || name.trim() === '') fail(path, "must be a table name like 'todos' or 'schema.table'")
  const dot = name.indexOf('.')
  if (dot === -1) return `public.${name}`
  if (dot === 0 || dot === name.length - 1) fail(path, "must be a table name like 'todos' or 'schema.table'")
  return name
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
