import type { RealtimeEvent, Row } from '../transport/events'
import type { PostgresBinding, SerializableSpec } from './spec'
import { FILTER_PATTERN } from './validateSpec'

function compare(actual: unknown, op: string, expected: string): boolean {
  if (actual === undefined) return false
  if (op === 'in') {
    const list = expected.replace(/^\(|\)$/g, '').split(',').map((item) => item.trim().replace(/^"|"$/g, ''))
    return list.includes(String(actual))
  }
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
  const match = FILTER_PATTERN.exec(filter)
  if (!match) return false
  const [, column, op, value] = match as unknown as [string, string, string, string]
  if (!row || !(column in row)) return missingMatches
  return compare(row[column], op, value)
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
