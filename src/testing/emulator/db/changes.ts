// Builds RowChange values from pgoutput messages (parsed by pg-logical-replication with raw text values).
import type { Pgoutput } from 'pg-logical-replication'
import type { ColumnInfo, Row, RowChange } from '../types'
import { normaliseValue } from './values'

export type DataMessage = Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete

/** Resolves `pg_type` oids to type names; loads unknown ones on demand. */
export interface TypeNames {
  ensure(oids: number[]): Promise<void>
  name(oid: number, fallback: string | null): string
}

/** Creates a {@link TypeNames} cache over `lookup` (which returns `[oid, typname]` pairs). */
export function createTypeNames(lookup: (oids: number[] | null) => Promise<Array<[number, string]>>): TypeNames {
  const names = new Map<number, string>()
  let loadedAll = false
  return {
    async ensure(oids) {
      if (!loadedAll) {
        for (const [oid, name] of await lookup(null)) names.set(oid, name)
        loadedAll = true
      }
      const missing = [...new Set(oids)].filter((oid) => !names.has(oid))
      if (missing.length > 0) for (const [oid, name] of await lookup(missing)) names.set(oid, name)
    },
    name: (oid, fallback) => names.get(oid) ?? fallback ?? 'unknown',
  }
}

function toRow(tuple: Record<string, unknown> | null, columns: ColumnInfo[]): Row | null {
  if (!tuple) return null
  const row: Row = {}
  for (const column of columns) {
    const raw = tuple[column.name]
    // undefined: a column outside the key tuple, or an unchanged TOASTed value with no old row.
    if (raw === undefined) continue
    row[column.name] = normaliseValue(raw as string | null, column.type)
  }
  return row
}

/** The pg_type oids a message's relation uses. */
export function typeOidsOf(message: DataMessage): number[] {
  return message.relation.columns.map((column) => column.typeOid)
}

/** Converts one insert/update/delete message of a committed transaction to a {@link RowChange}. */
export function toRowChange(message: DataMessage, types: TypeNames, commitTimestamp: string): RowChange {
  const { relation } = message
  const columns = relation.columns.map((column) => ({
    name: column.name,
    type: types.name(column.typeOid, column.typeName),
  }))
  const base = { schema: relation.schema, table: relation.name, columns, commitTimestamp }
  switch (message.tag) {
    case 'insert':
      return { ...base, type: 'INSERT', record: toRow(message.new, columns), oldRecord: null }
    case 'update':
      return {
        ...base,
        type: 'UPDATE',
        record: toRow(message.new, columns),
        oldRecord: toRow(message.old ?? message.key, columns),
      }
    case 'delete':
      return { ...base, type: 'DELETE', record: null, oldRecord: toRow(message.old ?? message.key, columns) ?? {} }
  }
}

/** pgoutput commit times are microseconds since the Unix epoch: ISO 8601 with milliseconds. */
export function commitTimeToIso(commitTime: bigint): string {
  return new Date(Number(BigInt(commitTime) / 1000n)).toISOString()
}
