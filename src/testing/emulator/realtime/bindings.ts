import { rowMatchesFilter } from '../../../subscription/eventMatchesSpec'
import { FILTER_PATTERN } from '../../../subscription/validateSpec'
import type { ColumnInfo, Row, RowChange } from '../types'

/** One `config.postgres_changes` entry of a join, with the id the server gave it. */
export interface Binding {
  id: number
  event: string
  schema: string
  table?: string
  filter?: string
  /** The entry exactly as the client sent it (echoed in the join reply). */
  params: Record<string, unknown>
}

/** Bindings a join asked for, and why some of them will never match. */
export interface ParsedBindings {
  bindings: Binding[]
  errors: string[]
}

const EVENTS = new Set(['*', 'INSERT', 'UPDATE', 'DELETE'])
const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid'])

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** A stable id for a binding's params (the real server uses `:erlang.phash2(params)`, range 0..2^27). */
export function bindingId(params: Record<string, unknown>): number {
  let hash = 0x811c9dc5
  for (const char of stableJson(params)) {
    hash ^= char.charCodeAt(0)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash & 0x7ffffff
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/** Reads `config.postgres_changes` of a join: every entry gets an id, in order, valid or not. */
export function parseBindings(entries: unknown): ParsedBindings {
  const bindings: Binding[] = []
  const errors: string[] = []
  if (!Array.isArray(entries)) return { bindings, errors }
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      errors.push('Error parsing `postgres_changes` params: each entry must be an object')
      continue
    }
    const params = entry as Record<string, unknown>
    const event = typeof params.event === 'string' ? params.event.toUpperCase() : '*'
    const schema = optionalString(params.schema) ?? 'public'
    const table = optionalString(params.table)
    const filter = optionalString(params.filter)
    const binding: Binding = { id: bindingId(params), event, schema, params }
    if (table !== undefined) binding.table = table
    if (filter !== undefined) binding.filter = filter
    if (!EVENTS.has(event)) errors.push(`Error parsing \`event\` params: ${String(params.event)}`)
    if (filter !== undefined && !FILTER_PATTERN.test(filter)) errors.push(`Error parsing \`filter\` params: ${filter}`)
    bindings.push(binding)
  }
  return { bindings, errors }
}

/** The row with numeric columns as numbers, so that `lt`/`gt` compare numbers as Postgres does. */
function typedRow(row: Row | null, columns: ColumnInfo[]): Row | null {
  if (!row) return row
  const typed: Row = { ...row }
  for (const { name, type } of columns) {
    const value = typed[name]
    if (NUMERIC_TYPES.has(type) && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) typed[name] = Number(value)
  }
  return typed
}

/** Whether one binding asked for this change (filters applied as the server does; DELETE is not filtered on missing columns). */
export function bindingMatches(binding: Binding, change: RowChange): boolean {
  if (binding.event !== '*' && binding.event !== change.type) return false
  if (binding.schema !== '*' && binding.schema !== change.schema) return false
  if (binding.table !== undefined && binding.table !== '*' && binding.table !== change.table) return false
  if (binding.filter === undefined) return true
  if (!FILTER_PATTERN.test(binding.filter)) return false
  if (change.type === 'DELETE') return rowMatchesFilter(typedRow(change.oldRecord, change.columns), binding.filter, true)
  return rowMatchesFilter(typedRow(change.record, change.columns), binding.filter)
}

/** Ids of the bindings that asked for this change, in binding order, without repeats. */
export function matchingIds(bindings: readonly Binding[], change: RowChange): number[] {
  return [...new Set(bindings.filter((binding) => bindingMatches(binding, change)).map((binding) => binding.id))]
}

/** The `postgres_changes` payload realtime-js expects: `{ ids, data }`. */
export function postgresChangesPayload(ids: number[], change: RowChange): Record<string, unknown> {
  const data: Record<string, unknown> = {
    schema: change.schema,
    table: change.table,
    commit_timestamp: change.commitTimestamp,
    type: change.type,
    columns: change.columns,
    errors: null,
  }
  if (change.type !== 'DELETE') data.record = change.record ?? {}
  if (change.type !== 'INSERT') data.old_record = change.oldRecord ?? {}
  return { ids, data }
}
