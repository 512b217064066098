import type { Pool } from 'pg'
import type { CatalogTable } from '../realtime/catalog'
import type { JwtClaims, Row } from '../types'
import { createRoleExists } from './roleExists'

/** Whether a subscriber's role and claims can SELECT a changed row (RLS on postgres_changes). */
export interface RowVisibility {
  /** null when the database has no role of that name (the row is then delivered, as without RLS). */
  visible(table: CatalogTable, record: Row, claims: JwtClaims): Promise<boolean | null>
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`

/**
 * Checks a row of an RLS table as `apply_rls` does: as the subscriber's role, with its claims in
 * `request.jwt.claims`, select the row by its primary key (in a rolled-back transaction).
 *
 * @example
 * await createRowVisibility(pool).visible(todosTable, { id: 1, owner: 'u1' }, { role: 'authenticated', sub: 'u1' })
 */
export function createRowVisibility(pool: Pool): RowVisibility {
  const roleExists = createRoleExists(pool)
  return {
    async visible(table, record, claims) {
      const role = typeof claims.role === 'string' ? claims.role : ''
      if (!role || table.primaryKey.length === 0 || !(await roleExists(role))) return null
      const values = table.primaryKey.map((column) => {
        const value = record[column]
        return value === null || value === undefined
          ? null
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value)
      })
      const where = table.primaryKey.map((column, index) => `${quote(column)} = $${index + 1}`).join(' and ')
      const client = await pool.connect()
      try {
        await client.query('begin')
        await client.query(
          `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true), set_config('request.jwt.claim.sub', $3, true), set_config('request.jwt.claim.role', $1, true)`,
          [role, JSON.stringify(claims), typeof claims.sub === 'string' ? claims.sub : ''],
        )
        const result = await client.query(
          `select 1 from ${quote(table.schema)}.${quote(table.name)} where ${where} limit 1`,
          values,
        )
        return (result.rowCount ?? 0) > 0
      } catch (error) {
        // 42501: the role may not read the table at all.
        if ((error as { code?: string }).code === '42501') return false
        throw error
      } finally {
        await client.query('rollback').catch(() => undefined)
        client.release()
      }
    },
  }
}
