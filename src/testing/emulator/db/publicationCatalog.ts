import type { Pool } from 'pg'
import type { CatalogTable, SubscriptionCatalog } from '../realtime/catalog'

// The real server's lookup: published tables whose names match (LIKE, `*` for every one).
const TABLES_SQL = `
  select pub.schemaname as schema, pub.tablename as name, a.attname as column, t.typname as type,
         coalesce(a.attnum = any(pk.indkey::int2[]), false) as primary, c.relrowsecurity as rls
  from pg_publication_tables pub
  join pg_namespace n on n.nspname = pub.schemaname
  join pg_class c on c.relnamespace = n.oid and c.relname = pub.tablename
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  join pg_type t on t.oid = a.atttypid
  left join pg_index pk on pk.indrelid = c.oid and pk.indisprimary
  where pub.pubname = $1
    and pub.schemaname like (case $2 when '*' then '%' else $2 end) escape ''
    and pub.tablename like (case $3 when '*' then '%' else $3 end) escape ''
  order by pub.schemaname, pub.tablename, a.attnum`

/**
 * The tables of a publication, read from the catalogs on every lookup (tables created or
 * altered later are seen), for checking postgres_changes subscriptions as the real server does.
 *
 * @example
 * const catalog = createPublicationCatalog(pool, changeSource.publicationName)
 * await catalog.publishedTables('public', 'todos')
 */
export function createPublicationCatalog(pool: Pool, publication: string): SubscriptionCatalog {
  return {
    async publishedTables(schema, table) {
      const result = await pool.query<{
        schema: string
        name: string
        column: string
        type: string
        primary: boolean
        rls: boolean
      }>(TABLES_SQL, [publication, schema, table])
      const tables = new Map<string, CatalogTable>()
      for (const row of result.rows) {
        const key = `${row.schema}.${row.name}`
        const entry = tables.get(key) ?? {
          schema: row.schema,
          name: row.name,
          columns: [],
          primaryKey: [],
          rls: row.rls,
        }
        entry.columns.push({ name: row.column, type: row.type })
        if (row.primary) entry.primaryKey.push(row.column)
        tables.set(key, entry)
      }
      return [...tables.values()]
    },
  }
}
