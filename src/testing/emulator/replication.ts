import { randomUUID } from 'node:crypto'
import type { Pool } from 'pg'
import type { LogicalReplicationService, Pgoutput } from 'pg-logical-replication'
import { systemClock, type Clock, type TimerHandle } from '../../env/clock'
import { thrownKind, type Logger } from '../../env/logger'
import { commitTimeToIso, createTypeNames, toRowChange, typeOidsOf, type DataMessage } from './db/changes'
import { loadLogicalReplication, loadPg } from './db/modules'
import { retry, withTimeout } from './db/timing'
import type { ChangeSource, RowChange } from './types'

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
const RECONNECT_MIN_MS = 100
const RECONNECT_MAX_MS = 5_000
const STOP_STREAM_MS = 5_000
// Text values and UTC timestamps, as Supabase (whose databases run in UTC) sends them.
const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,MDY -c extra_float_digits=1'

function checkIdentifier(kind: string, name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`invalid ${kind} name: ${JSON.stringify(name)}`)
  return `"${name}"`
}

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

  try {
    await createPublication(pool, name, schema, quotedTables, logger)
    await pool.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [name])
  } catch (error) {
    await pool.query(`DROP PUBLICATION IF EXISTS "${name}"`).catch(() => undefined)
    await pool.end().catch(() => undefined)
    throw error
  }

  const types = createTypeNames(async (oids) => {
    const result = oids
      ? await pool.query<{ oid: number; typname: string }>(
          'select oid::int as oid, typname from pg_type where oid = any($1::oid[])',
          [oids],
        )
      : await pool.query<{ oid: number; typname: string }>('select oid::int as oid, typname from pg_type')
    return result.rows.map((row) => [row.oid, row.typname])
  })
  const watched = options.tables ? new Set(options.tables) : undefined
  const listeners = new Set<(change: RowChange) => void>()
  let delivery: Promise<void> = types.ensure([]).catch(() => undefined)
  let pending: { messages: DataMessage[] } | null = null
  let stopped = false
  let service: LogicalReplicationService | null = null
  let reconnectTimer: TimerHandle | null = null
  let failures = 0

  const deliverNow = async (messages: DataMessage[], commitTimestamp: string) => {
    try {
      await types.ensure(messages.flatMap(typeOidsOf))
    } catch (error) {
      logger?.warn('change source: type lookup failed; unknown types are reported as "unknown"', {
        error: thrownKind(error),
      })
    }
    for (const message of messages) {
      const change = toRowChange(message, types, commitTimestamp)
      for (const listener of [...listeners]) {
        try {
          listener(change)
        } catch (error) {
          logger?.error('change source: a listener threw; continuing', {
            error: thrownKind(error),
            table: change.table,
          })
        }
      }
    }
  }
  const deliver = (messages: DataMessage[], commitTimestamp: string) => {
    // Chained: commit order even while a type lookup is pending; a failure never breaks the chain.
    delivery = delivery
      .then(() => deliverNow(messages, commitTimestamp))
      .catch((error: unknown) =>
        logger?.error('change source: could not deliver a transaction', { error: thrownKind(error) }),
      )
  }

  const onMessage = (_lsn: string, message: Pgoutput.Message) => {
    switch (message.tag) {
      case 'begin':
        pending = { messages: [] }
        return
      case 'insert':
      case 'update':
      case 'delete':
        if (message.relation.schema !== schema || (watched && !watched.has(message.relation.name))) return
        pending?.messages.push(message)
        return
      case 'commit': {
        const messages = pending?.messages ?? []
        pending = null
        if (messages.length > 0) deliver(messages, commitTimeToIso(message.commitTime as bigint))
        return
      }
      default:
        return // relation, type, origin, truncate, message: nothing to deliver
    }
  }

  const connect = () => {
    reconnectTimer = null
    if (stopped) return
    pending = null // a transaction cut by a lost stream is sent again in full
    // Raw text values: the relation's parsers are replaced before any row of it is parsed.
    const plugin = new (class extends replication.PgoutputPlugin {
      override parse(buffer: Buffer): Pgoutput.Message {
        const message = super.parse(buffer)
        if (message.tag === 'relation') for (const column of message.columns) column.parser = (raw: unknown) => raw
        return message
      }
    })({ protoVersion: 1, publicationNames: [name] })
    const current = new replication.LogicalReplicationService(
      { connectionString: databaseUrl, options: SESSION_OPTIONS },
      { acknowledge: { auto: true, timeoutSeconds: 10 } },
    )
    service = current
    current.on('data', onMessage)
    current.on('start', () => {
      failures = 0
      logger?.debug('change source: streaming', { slot: name })
    })
    current.on('error', (error: Error) => logger?.debug('change source: stream error', { error: error.message }))
    const ended = (error?: unknown) => {
      if (stopped || service !== current) return
      const delay = Math.min(RECONNECT_MIN_MS * 2 ** failures, RECONNECT_MAX_MS)
      failures += 1
      logger?.warn('change source: stream lost; reconnecting', {
        delayMs: delay,
        error: error instanceof Error ? error.message : 'ended',
      })
      void current.destroy().catch(() => undefined)
      reconnectTimer = clock.setTimeout(connect, delay)
    }
    current.subscribe(plugin, name).then(() => ended(), ended)
  }
  connect()

  const dropSlot = async () => {
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
    if (await retry(attempt, { ...options, tries: 10 })) return
    await pool.query(
      'select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active_pid is not null',
      [name],
    )
    if (!(await retry(attempt, { ...options, tries: 10 }))) throw new Error(`replication slot ${name} stayed active`)
  }

  let stopping: Promise<void> | undefined
  return {
    slotName: name,
    publicationName: name,
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    stop() {
      stopping ??= (async () => {
        stopped = true
        if (reconnectTimer !== null) clock.clearTimeout(reconnectTimer)
        const stream = service
        service = null
        if (stream && !(await withTimeout(stream.destroy(), STOP_STREAM_MS, clock)))
          logger?.warn('change source: stream did not close in time')
        await withTimeout(delivery, STOP_STREAM_MS, clock)
        listeners.clear()
        try {
          await dropSlot()
          await pool.query(`DROP PUBLICATION IF EXISTS "${name}"`)
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
