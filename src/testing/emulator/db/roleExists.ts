import type { Pool } from 'pg'

/**
 * Whether a database role exists, asked once per role and remembered (a failed lookup is asked
 * again next time). RLS is applied only for roles the database has.
 * @internal
 */
export function createRoleExists(pool: Pool): (role: string) => Promise<boolean> {
  const roles = new Map<string, Promise<boolean>>()
  return (role) => {
    let known = roles.get(role)
    if (!known) {
      known = pool
        .query('select 1 from pg_roles where rolname = $1', [role])
        .then((result) => (result.rowCount ?? 0) > 0)
      roles.set(role, known)
      known.catch(() => roles.delete(role))
    }
    return known
  }
}
