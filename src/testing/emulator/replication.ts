import { randomUUID } from 'node:crypto'
import type { Pool } from 'pg'
import { systemClock, type Clock } from '../../env/clock'
import type { Logger } from '../../env/logger'
import { createChangeDelivery } from './db/changeDelivery'
import { createTypeNames, type TypeNames } from './db/changes'
import { loadLogicalReplication, loadPg } from './db/modules'
import { createSlotAndPublication, dropSlotAndPublication } from './db/replicationSlot'
import { STOP_STREAM_MS, startReplicationStream } from './db/replicationStream'
import { withTimeout } from './db/timing'
import { createTransactionCollector } from './db/transactions'
import type { ChangeSource } from './types'

export interface StartChangeSourceOptions {
  databaseUrl: string
  /** Tables to watch (in `schema`); default every table of `schema`, including ones created later (Postgres 15+). */
  tables?: string[]
  /** Default `public`. */
  schema?: string
  clock?: Clock
  logger?: Logger
}

/** A running change source; `slotName`/`publicationName` are what it created (and `stop()` drops). */
export interface StartedChangeSource extends ChangeSource {
  slotName: string
  publicationName: string
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
// Text values and UTC timestamps, as Supabase (whose databases run in UTC) sends them.
const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,MDY -c extra_float_digits=1'

function checkIdentifier(kind: string, name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid ${kind} name: ${JSON.stringify(name)}`)
  return `"${name}"`
}

/** @internal The `pg_type` names of the database, looked up on `pool` (the given oids, or all of them). */
function typeNamesOf(pool: Pool): TypeNames {
  return createTypeNames(async (oids) => {
    const result = oids
      ? await pool.query<{ oid: number; typname: string }>(
          'select oid::int as oid, typname from pg_type where oid = any($1::oid[])',
          [oids],
        )
      : await pool.query<{ oid: number; typname: string }>('select oid::int as oid, typname from pg_type')
    return result.rows.map((row) => [row.oid, row.typname])
  })
}

/**
 * Streams committed row changes of `schema` (default `public`) from Postgres by logical
 * replication. Creates a publication (the given tables, else `FOR TABLES IN SCHEMA`, which also
 * covers tables created later) and a pgoutput slot, both named `rtk_emulator_<random>`; changes
 * committed after this resolves are delivered to listeners in commit order, values shaped as
 * Supabase Realtime sends them. A lost stream reconnects with a bounded backoff. `stop()` ends
 * the stream and drops the slot and the publication; call it before stopping the database.
 *
 * Note: a table in the publication without a primary key (or REPLICA IDENTITY) cannot be updated
 * or deleted from while the publication exists (Postgres refuses: no replica identity).
 */
export async function startChangeSource(options: StartChangeSourceOptions): Promise<StartedChangeSource> {
  const { databaseUrl, clock = systemClock, logger } = options
  const schema = options.schema ?? 'public'
  const quotedSchema = checkIdentifier('schema', schema)
  const quotedTables = options.tables?.map((table) => `${quotedSchema}.${checkIdentifier('table', table)}`)
  const [pg, replication] = await Promise.all([loadPg(), loadLogicalReplication()])
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, options: SESSION_OPTIONS })
  pool.on('error', (error) => logger?.debug('change source: idle connection lost', { error: error.message }))
  const name = `rtk_emulator_${randomUUID().replaceAll('-', '')}`
  await createSlotAndPublication(pool, name, schema, quotedTables, logger)

  const delivery = createChangeDelivery(typeNamesOf(pool), logger)
  const transactions = createTransactionCollector(schema, options.tables, delivery.deliver)
  const stream = startReplicationStream({
    replication,
    databaseUrl,
    sessionOptions: SESSION_OPTIONS,
    name,
    transactions,
    clock,
    logger,
  })

  let stopping: Promise<void> | undefined
  return {
    slotName: name,
    publicationName: name,
    onChange: (listener) => delivery.onChange(listener),
    stop() {
      stopping ??= (async () => {
        await stream.stop()
        await withTimeout(delivery.settled(), STOP_STREAM_MS, clock)
        delivery.clear()
        try {
          await dropSlotAndPublication(pool, name, clock)
        } catch (error) {
          logger?.warn('change source: could not drop its slot or publication', {
            slot: name,
            error: error instanceof Error ? error.message : String(error),
          })
        } finally {
          await pool.end().catch(() => undefined)
        }
      })()
      return stopping
    },
  }
}
