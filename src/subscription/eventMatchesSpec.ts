import type { RealtimeEvent, Row } from '../transport/events'
import type { PostgresBinding, SerializableSpec } from './spec'
import { FILTER_PATTERN } from './validateSpec'

/** A `column=op.value` filter, parsed once (`in` lists split once). */
interface ParsedFilter {
  column: string
  op: string
  value: string
  list: string[] | null
}

/** Filters come from the app's specs (a small, stable set): each string is parsed once, not per event. */
const parsedFilters = new Map<string, ParsedFilter | null>()
const MAX_PARSED_FILTERS = 1_000

function parseFilter(filter: string): ParsedFilter | null {
  let parsed = parsedFilters.get(filter)
  if (parsed !== undefined) return parsed
  const match = FILTER_PATTERN.exec(filter)
  if (!match) parsed = null
  else {
    const [, column, op, value] = match as unknown as [string, string, string, string]
    const list = op === 'in' ? value.replace(/^\(|\)$/g, '').split(',').map((item) => item.trim().replace(/^"|"$/g, '')) : null
    parsed = { column, op, value, list }
  }
  if (parsedFilters.size >= MAX_PARSED_FILTERS) parsedFilters.clear()
  parsedFilters.set(filter, parsed)
  return parsed
}

function compare(actual: unknown, { op, value: expected, list }: ParsedFilter): boolean {
  if (actual === undefined) return false
  if (list) return list.includes(String(actual))
  const numeric = typeof actual === 'number' && expected.trim() !== '' && Number.isFinite(Number(expected))
  const left: number | string = numeric ? (actual as number) : String(actual)
  const right: number | string = numeric ? Number(expected) : expected
  switch (op) {
    case 'eq':
      return left === right
    case 'neq':
      return left !== right
    case 'lt':
      return left < right
    case 'lte':
      return left <= right
    case 'gt':
      return left > right
    case 'gte':
      return left >= right
    default:
      return false
  }
}

/**
 * Evaluates a `column=op.value` filter on a row, as the Realtime server does. A DELETE carries
 * only the primary key unless the table has REPLICA IDENTITY FULL, and the server does not
 * filter deletes: a column missing from the old row therefore matches (`missingMatches`).
 */
export function rowMatchesFilter(row: Row | null, filter: string, missingMatches = false): boolean {
  const parsed = parseFilter(filter)
  if (!parsed) return false
  if (!row || !(parsed.column in row)) return missingMatches
  return compare(row[parsed.column], parsed)
}

function matchesBinding(event: Extract<RealtimeEvent, { kind: 'postgres_changes' }>, binding: PostgresBinding): boolean {
  if (binding.event !== '*' && binding.event !== event.eventType) return false
  if (binding.schema !== '*' && binding.schema !== event.schema) return false
  if (binding.table !== undefined && binding.table !== '*' && binding.table !== event.table) return false
  if (binding.filter === undefined) return true
  if (event.eventType === 'DELETE') return rowMatchesFilter(event.old, binding.filter, true)
  return rowMatchesFilter(event.new, binding.filter)
}

/**
 * Whether one subscriber asked for this event. Several subscribers share a channel with the
 * union of their bindings; each `onMessage` must still see only its own events.
 */
export function eventMatchesSpec(event: RealtimeEvent, spec: SerializableSpec): boolean {
  if (event.kind === 'broadcast') {
    const names = spec.broadcast ?? []
    return names.includes('*') || names.includes(event.event)
  }
  return (spec.postgres ?? []).some((binding) => matchesBinding(event, binding))
}
