import type { Pool } from 'pg'

/** What the PostgREST subset knows of a table (or view): its columns and primary key. */
export interface TableInfo {
  schema: string
  name: string
  /** Column name → `pg_type.typname` (int8, text, jsonb, _text, …), in table order. */
  columns: Map<string, string>
  primaryKey: string[]
}

export interface SchemaCache {
  /** The table, or undefined when `schema` has no such table or view (looked up again every time). */
  table(name: string): Promise<TableInfo | undefined>
  /** Forgets a table (after an error that suggests it changed). */
  forget(name: string): void
}

const COLUMNS_SQL = `
  select a.attname as name, t.typname as type,
         coalesce(a.attnum = any(pk.indkey::int2[]), false) as primary
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  join pg_type t on t.oid = a.atttypid
  left join pg_index pk on pk.indrelid = c.oid and pk.indisprimary
  where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'v', 'm', 'f')
  order by a.attnum`

/** Caches table metadata of `schema`, read from the catalogs; names are matched exactly. */
export function createSchemaCache(pool: Pool, schema: string): SchemaCache {
  const tables = new Map<string, Promise<TableInfo | undefined>>()
  const load = async (name: string): Promise<TableInfo | undefined> => {
    const result = await pool.query<{ name: string; type: string; primary: boolean }>(COLUMNS_SQL, [schema, name])
    if (result.rows.length === 0) return undefined
    return {
      schema,
      name,
      columns: new Map(result.rows.map((row) => [row.name, row.type])),
      primaryKey: result.rows.filter((row) => row.primary).map((row) => row.name),
    }
  }
  return {
    async table(name) {
      let entry = tables.get(name)
      if (!entry) {
        entry = load(name)
        tables.set(name, entry)
      }
      const info = await entry.catch((error: unknown) => {
        tables.delete(name)
        throw error
      })
      if (!info) tables.delete(name)
      return info
    },
    forget(name) {
      tables.delete(name)
    },
  }
}
