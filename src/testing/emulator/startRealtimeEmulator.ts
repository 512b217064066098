import { randomUUID } from 'node:crypto'
import { systemClock, type Clock } from '../../env/clock'
import { thrownKind, type Logger } from '../../env/logger'
import { startDatabase } from './database'
import { loadPg } from './db/modules'
import { createAuthHandler } from './auth/authHandler'
import { createMessagePolicies } from './db/messagePolicies'
import { createMessageReplay } from './db/messageReplay'
import { createPublicationCatalog } from './db/publicationCatalog'
import { createRowVisibility } from './db/rowVisibility'
import { REALTIME_GRANTS_SQL, REALTIME_SCHEMA_SQL } from './db/realtimeSchema'
import { createDefaultKeys, DEFAULT_JWT_SECRET, signJwt } from './jwt'
import { createPostgrestHandler } from './postgrest'
import { emulatorLogger } from './realtime/lifecycle'
import { createServerLimits } from './realtime/limits'
import { startRealtimeServer, type RealtimeServer } from './realtimeServer'
import { startChangeSource, type StartedChangeSource } from './replication'
import type { JwtClaims, RealtimeEmulator, StartRealtimeEmulatorOptions } from './types'

/** Lifetime of a token from `signToken` when the claims carry no `exp`. */
const DEFAULT_TOKEN_LIFETIME_S = 3_600

async function runSql(databaseUrl: string, sql: string): Promise<{ rows: Record<string, unknown>[] }> {
  const pg = await loadPg()
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const result = (await client.query(sql)) as unknown as { rows?: Record<string, unknown>[] }
    return { rows: result.rows ?? [] }
  } finally {
    await client.end()
  }
}

/**
 * Supabase's realtime schema (unless the database has its own, as a Supabase stack does), then `setupSql`.
 * @internal
 */
async function prepareSchema(databaseUrl: string, setupSql: string | undefined): Promise<void> {
  const hasRealtime = await runSql(databaseUrl, `select to_regclass('realtime.messages') is not null as present`)
  if (!hasRealtime.rows[0]?.present) await runSql(databaseUrl, REALTIME_SCHEMA_SQL)
  if (setupSql) await runSql(databaseUrl, setupSql)
  if (!hasRealtime.rows[0]?.present) await runSql(databaseUrl, REALTIME_GRANTS_SQL)
}

/**
 * Replication of the tables (`public`, or `tables`) and of `realtime.messages`, each stop pushed on `cleanups`.
 * Postgres and replication wait (reconnects, slot drops, shutdown) on real time.
 * @internal
 */
async function startSources(
  databaseUrl: string,
  tables: StartRealtimeEmulatorOptions['tables'],
  logger: Logger,
  cleanups: (() => Promise<void>)[],
): Promise<{ changeSource: StartedChangeSource; broadcastSource: StartedChangeSource }> {
  const changeSource = await startChangeSource({
    databaseUrl,
    ...(tables ? { tables } : {}),
    clock: systemClock,
    logger,
  })
  cleanups.push(() => changeSource.stop())
  const broadcastSource = await startChangeSource({
    databaseUrl,
    schema: 'realtime',
    tables: ['messages'],
    clock: systemClock,
    logger,
  })
  cleanups.push(() => broadcastSource.stop())
  return { changeSource, broadcastSource }
}

/**
 * A token signed with `jwtSecret` (an hour's lifetime unless the claims carry `exp`), known to the server.
 * @internal
 */
function signToken(claims: JwtClaims, jwtSecret: string, clock: Clock, server: RealtimeServer): string {
  const now = Math.floor(clock.now() / 1000)
  const token = signJwt(
    { role: 'authenticated', iat: now, exp: now + DEFAULT_TOKEN_LIFETIME_S, jti: randomUUID(), ...claims },
    jwtSecret,
  )
  server.registerToken(token)
  return token
}

/**
 * The `RealtimeEmulator` users hold, over the started server.
 * @internal
 */
function emulatorHandle(
  server: RealtimeServer,
  keys: { anonKey: string; serviceRoleKey: string },
  databaseUrl: string,
  sign: (claims: JwtClaims) => string,
  stop: () => Promise<void>,
): RealtimeEmulator {
  return {
    url: server.url,
    anonKey: keys.anonKey,
    serviceRoleKey: keys.serviceRoleKey,
    databaseUrl,
    signToken: sign,
    tokenSource: (tokenOptions) => server.tokenSource(tokenOptions),
    faults: server.faults,
    get openSockets() {
      return server.openSockets
    },
    joinedTopics: () => server.joinedTopics(),
    stop,
  }
}

/**
 * Starts a local Supabase stand-in on 127.0.0.1 for tests and demos: Postgres (embedded with
 * `wal_level=logical`, or `databaseUrl` / `DATABASE_URL`), `setupSql`, logical replication of
 * every table in `public` (or `tables`), and one HTTP server with PostgREST at `/rest/v1`, Auth at `/auth/v1`,
 * Supabase Realtime at `/realtime/v1/websocket` and the REST broadcast endpoint. Point
 * `createClient(emulator.url, emulator.anonKey)` at it. `stop()` closes everything in reverse
 * order and removes the embedded database; it is idempotent.
 *
 * @example
 * const emulator = await startRealtimeEmulator({ setupSql: 'create table todos (id bigint primary key, title text)' })
 * const supabase = createClient(emulator.url, emulator.anonKey)
 * emulator.faults.dropAllSockets()
 * await emulator.stop()
 */
export async function startRealtimeEmulator(options: StartRealtimeEmulatorOptions = {}): Promise<RealtimeEmulator> {
  const clock = options.clock ?? systemClock
  createServerLimits(options.limits) // a bad value throws before anything starts
  // Postgres and replication wait (reconnects, slot drops, shutdown) on real time: a test's fake
  // clock drives token expiry, the websocket timeout and faults, and would stall stop() otherwise.
  const infrastructureClock = systemClock
  const logger = emulatorLogger(options.verbose ?? false)
  const jwtSecret = options.jwtSecret ?? DEFAULT_JWT_SECRET
  const keys = createDefaultKeys(jwtSecret)
  const cleanups: (() => Promise<void>)[] = []
  const unwind = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => logger.error('cleanup failed', { error: thrownKind(error) }))
    }
  }

  try {
    const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL
    const database = await startDatabase({
      ...(databaseUrl ? { databaseUrl } : {}),
      logger,
      clock: infrastructureClock,
    })
    cleanups.push(() => database.stop())
    await prepareSchema(database.url, options.setupSql)
    const { changeSource, broadcastSource } = await startSources(database.url, options.tables, logger, cleanups)
    const pg = await loadPg()
    const catalogPool = new pg.Pool({ connectionString: database.url, max: 2 })
    catalogPool.on('error', (error) => logger.debug('catalog: idle connection lost', { error: error.message }))
    cleanups.push(() => catalogPool.end())
    const postgrest = createPostgrestHandler({ databaseUrl: database.url, jwtSecret, clock, logger })
    cleanups.push(() => postgrest.close())
    let registerToken: (token: string) => void = () => undefined
    const auth = createAuthHandler({
      url: () => server.url,
      jwtSecret,
      clock,
      ...(options.accessTokenLifetimeSeconds !== undefined
        ? { accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds }
        : {}),
      onIssued: (token) => registerToken(token),
    })
    const server = await startRealtimeServer({
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      ...(options.limits !== undefined ? { limits: options.limits } : {}),
      jwtSecret,
      apiKeys: [keys.anonKey, keys.serviceRoleKey],
      changeSource,
      broadcastSource,
      catalog: createPublicationCatalog(catalogPool, changeSource.publicationName),
      policies: createMessagePolicies(catalogPool),
      rowVisibility: createRowVisibility(catalogPool),
      replay: createMessageReplay(catalogPool),
      ...(options.authorizePrivate ? { authorizePrivate: options.authorizePrivate } : {}),
      httpHandler: async (req, res) => (await auth.handle(req, res)) || postgrest.handle(req, res),
      clock,
      logger,
    })
    cleanups.push(() => server.stop())
    registerToken = (token) => server.registerToken(token)
    logger.info('emulator ready', { url: server.url })

    let stopping: Promise<void> | null = null
    return emulatorHandle(
      server,
      keys,
      database.url,
      (claims) => signToken(claims, jwtSecret, clock, server),
      () => {
        stopping ??= unwind()
        return stopping
      },
    )
  } catch (error) {
    await unwind()
    throw error
  }
}
