import { rowPassesFilter } from '../../../subscription/filterMatch'
import type { Row, RowChange } from '../types'
import type { CatalogTable } from './catalog'
import { parseSubscriptionParams, type SubscriptionParams } from './subscriptionParams'

/** One `config.postgres_changes` entry of a join, with the id the server gave it. */
export interface Binding {
  id: number
  /** The entry exactly as the client sent it (echoed in the join reply). */
  params: Record<string, unknown>
  parsed: SubscriptionParams
  /** The published tables the subscription was inserted for, by `schema.table`; null without a catalog (matched by name). */
  tables: Map<string, CatalogTable> | null
}

/** The bindings of a join (live only once subscribed), and the first entry the server refuses. */
export interface ParsedBindings {
  /** Every object entry with its id, for the join reply. */
  echoed: Record<string, unknown>[]
  /** Empty when `error` is set: the server subscribes all entries or none. */
  bindings: Binding[]
  error: string | null
}

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

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Reads `config.postgres_changes` of a join as the server does: null entries are dropped, the first bad one is the error. */
export function parseBindings(entries: unknown): ParsedBindings {
  const echoed: Record<string, unknown>[] = []
  const bindings: Binding[] = []
  let error: string | null = null
  if (!Array.isArray(entries)) return { echoed, bindings, error }
  for (const entry of entries) {
    if (entry === null || entry === undefined) continue
    const id = isObject(entry) ? bindingId(entry) : 0
    if (isObject(entry)) echoed.push({ ...entry, id })
    const result = parseSubscriptionParams(entry)
    if (!result.ok) error ??= result.error
    else if (isObject(entry)) bindings.push({ id, params: entry, parsed: result.params, tables: null })
  }
  return { echoed, bindings: error === null ? bindings : [], error }
}

function coversTable(binding: Binding, change: RowChange): boolean {
  if (binding.tables) return binding.tables.has(`${change.schema}.${change.table}`)
  const { schema, table } = binding.parsed
  return (schema === '*' || schema === change.schema) && (table === '*' || table === change.table)
}

/** Whether the binding listens to this action of this table (filters aside). */
function listensTo(binding: Binding, change: RowChange): boolean {
  return (binding.parsed.event === '*' || binding.parsed.event === change.type) && coversTable(binding, change)
}

/** The server's `is_visible_through_filters`: the new row, or for a DELETE the old one; fail closed on missing columns. */
function passesFilters(binding: Binding, change: RowChange, types: Map<string, string>): boolean {
  const { conditions } = binding.parsed
  if (conditions.length === 0) return true
  if (rowPassesFilter(change.record, conditions, types)) return true
  return change.type === 'DELETE' && rowPassesFilter(change.oldRecord, conditions, types)
}

/** The catalog entry of the change's table, as the bindings' subscriptions found it. */
export function tableOf(bindings: readonly Binding[], change: RowChange): CatalogTable | undefined {
  for (const binding of bindings) {
    const table = binding.tables?.get(`${change.schema}.${change.table}`)
    if (table) return table
  }
  return undefined
}

function pick(row: Row | null, keep: (name: string) => boolean): Row {
  const out: Row = {}
  for (const [name, value] of Object.entries(row ?? {})) if (keep(name)) out[name] = value
  return out
}

/** One `postgres_changes` push: `{ ids, data }` as realtime-js reads it. */
export interface ChangePayload {
  ids: number[]
  data: Record<string, unknown>
}

const selectKey = (select: string[] | null): string => (select === null ? '' : JSON.stringify([...select].sort()))

/**
 * The pushes a channel's bindings get for one change, as `apply_rls` builds them: one per
 * distinct `select` list, record and columns trimmed to the selected columns plus the primary
 * key. A table without a primary key gets `errors: ["Error 400: Bad Request, no primary key"]`
 * and no record, for every binding of that action, filters aside (DELETE excepted).
 */
export function channelPayloads(bindings: readonly Binding[], change: RowChange): ChangePayload[] {
  const listening = bindings.filter((binding) => listensTo(binding, change))
  if (listening.length === 0) return []
  const table = tableOf(listening, change)
  const primaryKey = table?.primaryKey ?? change.primaryKey
  const noKey = primaryKey !== undefined && primaryKey.length === 0 && change.type !== 'DELETE'
  const types = new Map(change.columns.map((column) => [column.name, column.type]))
  const visible = noKey ? listening : listening.filter((binding) => passesFilters(binding, change, types))
  const groups = new Map<string, { select: string[] | null; ids: number[] }>()
  for (const binding of visible) {
    const key = selectKey(binding.parsed.select)
    const group = groups.get(key) ?? { select: binding.parsed.select, ids: [] }
    if (!group.ids.includes(binding.id)) group.ids.push(binding.id)
    groups.set(key, group)
  }
  return [...groups.values()].map(({ select, ids }) => ({
    ids,
    data: noKey ? noKeyData(change) : changeData(change, select, primaryKey ?? [], table?.rls === true),
  }))
}

function noKeyData(change: RowChange): Record<string, unknown> {
  const data: Record<string, unknown> = {
    schema: change.schema,
    table: change.table,
    type: change.type,
    commit_timestamp: null,
    columns: [],
    record: {},
  }
  if (change.type === 'UPDATE') data.old_record = {}
  data.errors = ['Error 400: Bad Request, no primary key']
  return data
}

/** On an RLS table a DELETE's old record is trimmed to the key (a delete cannot be checked against policies). */
function changeData(
  change: RowChange,
  select: string[] | null,
  primaryKey: readonly string[],
  rls: boolean,
): Record<string, unknown> {
  const keep = (name: string): boolean => select === null || select.includes(name) || primaryKey.includes(name)
  const data: Record<string, unknown> = {
    schema: change.schema,
    table: change.table,
    commit_timestamp: change.commitTimestamp,
    type: change.type,
    columns: change.columns.filter((column) => keep(column.name)),
    errors: null,
  }
  if (change.type !== 'DELETE') data.record = pick(change.record, keep)
  if (change.type !== 'INSERT')
    data.old_record = pick(
      change.oldRecord,
      change.type === 'DELETE' && rls ? (name) => primaryKey.includes(name) : keep,
    )
  return data
}
