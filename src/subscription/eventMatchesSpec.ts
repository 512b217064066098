import type { RealtimeEvent, Row } from '../events/events'
import type { PostgresBinding } from '../events/bindings'
import type { SerializableSpec } from './spec'
import { parseFilter } from './filterGrammar'
import { rowPassesFilter } from './filterMatch'

/**
 * Evaluates a filter (`column=op.value`, comma-separated conditions ANDed) on a row, as the
 * Realtime server does: a condition on a column the row lacks fails, so a DELETE whose old row
 * carries only the key passes only filters on the key (REPLICA IDENTITY FULL sends every column).
 */
export function rowMatchesFilter(row: Row | null, filter: string): boolean {
  const parsed = parseFilter(filter)
  return parsed.ok && rowPassesFilter(row, parsed.conditions)
}

function matchesBinding(
  event: Extract<RealtimeEvent, { kind: 'postgres_changes' }>,
  binding: PostgresBinding,
): boolean {
  if (binding.event !== '*' && binding.event !== event.eventType) return false
  if (binding.schema !== '*' && binding.schema !== event.schema) return false
  if (binding.table !== undefined && binding.table !== '*' && binding.table !== event.table) return false
  if (binding.filter === undefined) return true
  if (event.eventType === 'DELETE') return rowMatchesFilter(event.old, binding.filter)
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
  if (event.via === 'broadcast') {
    const tables = spec.changes?.tables ?? []
    return tables.includes(`${event.schema}.${event.table}`)
  }
  return (spec.postgres ?? []).some((binding) => matchesBinding(event, binding))
}
