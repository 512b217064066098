import type { Pool } from 'pg'
import type { Clock } from '../../../env/clock'
import type { Logger } from '../../../env/logger'
import { retry } from './timing'

/**
 * Creates the publication: the given tables, else the whole schema (`FOR TABLES IN SCHEMA` on
 * Postgres 15+, which also covers tables created later; `FOR ALL TABLES` before). Without the
 * privilege to publish a schema, the tables the current user owns now.
 *
 * @internal
 */
async function createPublication(
  pool: Pool,
  name: string,
  schema: string,
  quotedTables: string[] | undefined,
  logger?: Logger,
): Promise<void> {
  if (quotedTables) {
    await pool.query(`CREATE PUBLICATION "${name}" FOR TABLE ${quotedTables.join(', ')}`)
    return
  }
  const version = Number(
    (await pool.query<{ v: string }>(`select current_setting('server_version_num') as v`)).rows[0]?.v,
  )
  try {
    await pool.query(
      `CREATE PUBLICATION "${name}" ${version >= 150000 ? `FOR TABLES IN SCHEMA "${schema}"` : 'FOR ALL TABLES'}`,
    )
  } catch (error) {
    // Only a superuser may publish a whole schema: fall back to the tables it owns now.
    if ((error as { code?: string }).code !== '42501') throw error
    const tables = await pool.query<{ name: string }>(
      `select tablename as name from pg_tables where schemaname = $1 and pg_has_role(current_user, tableowner, 'USAGE')`,
      [schema],
    )
    const list = tables.rows.map((row) => `"${schema}"."${row.name.replaceAll('"', '""')}"`)
    logger?.warn('change source: not a superuser; watching only the tables it owns now', {
      schema,
      tables: list.length,
    })
    await pool.query(`CREATE PUBLICATION "${name}"${list.length > 0 ? ` FOR TABLE ${list.join(', ')}` : ''}`)
  }
}

/**
 * Creates the publication and a pgoutput slot, both named `name`; on failure drops what it
 * created, ends the pool and rethrows.
 *
 * @internal
 */
export async function createSlotAndPublication(
  pool: Pool,
  name: string,
  schema: string,
  quotedTables: string[] | undefined,
  logger?: Logger,
): Promise<void> {
  try {
    await createPublication(pool, name, schema, quotedTables, logger)
    await pool.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [name])
  } catch (error) {
    await pool.query(`DROP PUBLICATION IF EXISTS "${name}"`).catch(() => undefined)
    await pool.end().catch(() => undefined)
    throw error
  }
}

/**
 * Drops the slot, waiting for the walsender to let go of it and terminating it if it lingers,
 * then the publication.
 *
 * @internal
 */
export async function dropSlotAndPublication(pool: Pool, name: string, clock: Clock): Promise<void> {
  const attempt = async () => {
    try {
      await pool.query('select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1', [
        name,
      ])
      return true
    } catch (error) {
      // 55006: still active (the walsender lingers briefly after the stream stops).
      if ((error as { code?: string }).code !== '55006') throw error
      return false
    }
  }
  const options = { delayMs: 50, maxDelayMs: 500, clock }
  if (!(await retry(attempt, { ...options, tries: 10 }))) {
    await pool.query(
      'select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active_pid is not null',
      [name],
    )
    if (!(await retry(attempt, { ...options, tries: 10 }))) throw new Error(`replication slot ${name} stayed active`)
  }
  await pool.query(`DROP PUBLICATION IF EXISTS "${name}"`)
}
