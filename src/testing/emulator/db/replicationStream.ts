import type * as LogicalReplication from 'pg-logical-replication'
import type { LogicalReplicationService, Pgoutput } from 'pg-logical-replication'
import type { Clock, TimerHandle } from '../../../env/clock'
import type { Logger } from '../../../env/logger'
import { withTimeout } from './timing'
import type { TransactionCollector } from './transactions'

const RECONNECT_MIN_MS = 100
const RECONNECT_MAX_MS = 5_000
/**
 * A status update to the server at least this often while idle. Each one makes the walsender look
 * for new WAL again, so a commit whose wake-up it missed (seen under load, after a CREATE TABLE)
 * is still sent within about a second, not on the next write.
 */
const STATUS_INTERVAL_SECONDS = 1
/** How long stopping waits for the stream (and the deliveries behind it) before giving up. @internal */
export const STOP_STREAM_MS = 5_000

/** What {@link startReplicationStream} streams from and where the messages go. */
export interface ReplicationStreamOptions {
  replication: typeof LogicalReplication
  databaseUrl: string
  /** The session's `options` (time zone, date style, float digits). */
  sessionOptions: string
  /** The slot, and the publication, both of this name. */
  name: string
  transactions: TransactionCollector
  clock: Clock
  logger?: Logger
}

/** A running stream; `stop()` ends it for good. */
export interface ReplicationStream {
  stop(): Promise<void>
}

/**
 * A pgoutput plugin whose relations keep raw text values: the relation's parsers are replaced
 * before any row of it is parsed.
 *
 * @internal
 */
function rawTextPlugin(replication: typeof LogicalReplication, publication: string): LogicalReplication.PgoutputPlugin {
  return new (class extends replication.PgoutputPlugin {
    override parse(buffer: Buffer): Pgoutput.Message {
      const message = super.parse(buffer)
      if (message.tag === 'relation') for (const column of message.columns) column.parser = (raw: unknown) => raw
      return message
    }
  })({ protoVersion: 1, publicationNames: [publication] })
}

/**
 * Streams the slot's messages to `transactions` by logical replication; a lost stream reconnects
 * with a bounded backoff (100 ms doubling to 5 s, reset once streaming again).
 *
 * @internal
 */
export function startReplicationStream(options: ReplicationStreamOptions): ReplicationStream {
  const { replication, databaseUrl, sessionOptions, name, transactions, clock, logger } = options
  let stopped = false
  let service: LogicalReplicationService | null = null
  let reconnectTimer: TimerHandle | null = null
  let failures = 0

  const connect = () => {
    reconnectTimer = null
    if (stopped) return
    transactions.reset() // a transaction cut by a lost stream is sent again in full
    const plugin = rawTextPlugin(replication, name)
    const current = new replication.LogicalReplicationService(
      { connectionString: databaseUrl, options: sessionOptions },
      { acknowledge: { auto: true, timeoutSeconds: STATUS_INTERVAL_SECONDS } },
    )
    service = current
    current.on('data', transactions.onMessage)
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

  return {
    async stop() {
      stopped = true
      if (reconnectTimer !== null) clock.clearTimeout(reconnectTimer)
      const stream = service
      service = null
      if (stream && !(await withTimeout(stream.destroy(), STOP_STREAM_MS, clock)))
        logger?.warn('change source: stream did not close in time')
    },
  }
}
