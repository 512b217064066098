import { arrayLiteralItems } from '../../../subscription/filterGrammar'
import type { ColumnInfo } from '../types'
import { paramsToLog, type SubscriptionParams } from './subscriptionParams'

/** A table of the publication, as the subscription check sees it. */
export interface CatalogTable {
  schema: string
  name: string
  /** In table order; `type` is `pg_type.typname`. */
  columns: ColumnInfo[]
  primaryKey: string[]
  /** Row-level security is enabled on it. */
  rls?: boolean
}

/** Where subscriptions look tables up: the publication the emulator streams. */
export interface SubscriptionCatalog {
  /** Published tables whose schema and name match (`*` matches every one). */
  publishedTables(schema: string, table: string): Promise<CatalogTable[]>
}

/** A catalog over a fixed list of tables (tests without Postgres). */
export function createStaticCatalog(tables: readonly CatalogTable[]): SubscriptionCatalog {
  return {
    publishedTables: async (schema, table) =>
      tables.filter((entry) => (schema === '*' || entry.schema === schema) && (table === '*' || entry.name === table)),
  }
}

const SQL_TYPE_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
}
const INTEGER = /^\s*[+-]?\d+\s*$/
const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'name', 'citext'])
const BOOLEAN_LITERALS = new Set(['t', 'true', 'y', 'yes', 'on', '1', 'f', 'false', 'n', 'no', 'off', '0'])

const sqlType = (type: string): string => SQL_TYPE_NAMES[type] ?? type
const raise = (message: string): string => `ERROR P0001 (raise_exception) ${message}`

/** Postgres's cast error for a value that is not of the column's type, or null when it casts. */
function castError(value: string, type: string): string | null {
  const valid =
    type === 'int2' || type === 'int4' || type === 'int8'
      ? INTEGER.test(value)
      : type === 'float4' || type === 'float8' || type === 'numeric'
        ? value.trim() !== '' && !Number.isNaN(Number(value))
        : type === 'bool'
          ? BOOLEAN_LITERALS.has(value.trim().toLowerCase())
          : true
  return valid
    ? null
    : `ERROR 22P02 (invalid_text_representation) invalid input syntax for type ${sqlType(type)}: ${JSON.stringify(value)}`
}

/** The `subscription_check_filters` trigger: the Postgres error it raises for this table, or null. */
function checkTable(params: SubscriptionParams, table: CatalogTable): string | null {
  const types = new Map(table.columns.map((column) => [column.name, column.type]))
  for (const { column, op, value } of params.conditions) {
    const type = types.get(column)
    if (type === undefined) return raise(`invalid column for filter ${column}`)
    if (op === 'in') {
      const items = arrayLiteralItems(value)
      for (const item of items) {
        const error = item === null ? null : castError(item, type)
        if (error) return error
      }
      if (items.length > 100) return raise('too many values for `in` filter. Maximum 100')
    } else if (op === 'is') {
      if (!['null', 'true', 'false', 'unknown'].includes(value))
        return raise('invalid value for is filter: must be null, true, false, or unknown')
      if (value !== 'null' && type !== 'bool')
        return raise(`is ${value} filter requires a boolean column, got ${sqlType(type)}`)
    } else if (op === 'like' || op === 'ilike' || op === 'match' || op === 'imatch') {
      if (!TEXT_TYPES.has(type))
        return raise(`operator ${op} requires a text-compatible column type, got ${sqlType(type)}`)
      if (op === 'match' || op === 'imatch') {
        try {
          new RegExp(value)
        } catch {
          return raise(`invalid regular expression for ${op} filter: invalid regular expression`)
        }
      }
    } else {
      const error = castError(value, type)
      if (error) return error
    }
  }
  for (const column of params.select ?? []) if (!types.has(column)) return raise(`invalid column for select ${column}`)
  return null
}

export type SubscribeResult = { ok: true; tables: CatalogTable[] } | { ok: false; error: string }

/**
 * Inserts one subscription as the real server does: the published tables it names (none is an
 * error), each checked by the filter trigger. The texts are the server's system messages.
 */
export async function subscribeParams(
  catalog: SubscriptionCatalog,
  params: SubscriptionParams,
): Promise<SubscribeResult> {
  const tables = await catalog.publishedTables(params.schema, params.table)
  if (tables.length === 0) {
    return {
      ok: false,
      error: `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [${paramsToLog(params)}]`,
    }
  }
  for (const table of tables) {
    const exception = checkTable(params, table)
    if (exception !== null) {
      return {
        ok: false,
        error: `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${paramsToLog(params)}]. Exception: ${exception}`,
      }
    }
  }
  return { ok: true, tables }
}
