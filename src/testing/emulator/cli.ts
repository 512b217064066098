import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { BROADCAST_CHANGES_SQL_COMMAND, runBroadcastChangesSqlCli } from '../../sql/broadcastChangesCli'
import { startRealtimeEmulator } from './startRealtimeEmulator'
import type { RealtimeEmulator, StartRealtimeEmulatorOptions } from './types'

/** What the CLI talks to: output, and the signals that stop it. Tests pass their own. */
export interface CliEnvironment {
  out(line: string): void
  err(line: string): void
  /** Calls `handler` once on SIGINT or SIGTERM; returns the cleanup. */
  onStopSignal(handler: (signal: string) => void): () => void
  start(options: StartRealtimeEmulatorOptions): Promise<RealtimeEmulator>
}

const USAGE = `Usage: rtk-supabase-realtime-emulator [options]

Starts Postgres, PostgREST (/rest/v1) and Supabase Realtime (/realtime/v1) on 127.0.0.1,
prints {"url","anonKey",...} as JSON on one line, and runs until SIGINT or SIGTERM.

Commands:
  broadcast-changes-sql  print the SQL that broadcasts a table's changes (--help for its options)

Options:
  --port <n>             HTTP port (default: a free one)
  --database-url <url>   use this Postgres (wal_level=logical) instead of an embedded one
  --setup-sql <file>     run this SQL file once after start (schema, seed data)
  --tables <a,b>         watch only these tables of public (default: all)
  --jwt-secret <secret>  HS256 secret (default: the local development secret)
  --plan <name>          plan limits to enforce: free, pro or team (default: pro)
  --verbose              log what the emulator does
  -h, --help             show this help`

/**
 * The command's environment in a Node process: stdout, stderr, SIGINT and SIGTERM, and the
 * emulator itself (the repository's `npm run emulator` wraps its `start`).
 * @internal
 */
export const processEnvironment: CliEnvironment = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  onStopSignal(handler) {
    const listener = (signal: NodeJS.Signals): void => handler(signal)
    process.once('SIGINT', listener)
    process.once('SIGTERM', listener)
    return () => {
      process.off('SIGINT', listener)
      process.off('SIGTERM', listener)
    }
  },
  start: startRealtimeEmulator,
}

async function parseOptions(argv: string[]): Promise<StartRealtimeEmulatorOptions | 'help'> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      'database-url': { type: 'string' },
      'setup-sql': { type: 'string' },
      tables: { type: 'string' },
      'jwt-secret': { type: 'string' },
      plan: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return 'help'
  const options: StartRealtimeEmulatorOptions = {}
  if (values.port !== undefined) {
    const port = Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new TypeError(`--port: expected a port number, got ${JSON.stringify(values.port)}`)
    options.port = port
  }
  if (values['database-url'] !== undefined) options.databaseUrl = values['database-url']
  if (values['setup-sql'] !== undefined) {
    const file = values['setup-sql']
    options.setupSql = await readFile(file, 'utf8').catch((error: unknown) => {
      throw new TypeError(`--setup-sql: cannot read ${file} (${(error as { code?: string }).code ?? 'error'})`)
    })
  }
  if (values.tables !== undefined)
    options.tables = values.tables
      .split(',')
      .map((table) => table.trim())
      .filter(Boolean)
  if (values['jwt-secret'] !== undefined) options.jwtSecret = values['jwt-secret']
  if (values.plan !== undefined) {
    const plan = values.plan
    if (plan !== 'free' && plan !== 'pro' && plan !== 'team')
      throw new TypeError(`--plan: expected free, pro or team, got ${JSON.stringify(plan)}`)
    options.limits = plan
  }
  if (values.verbose) options.verbose = true
  return options
}

/**
 * The `rtk-supabase-realtime-emulator` command: starts the emulator, prints
 * `{"url","anonKey","serviceRoleKey","databaseUrl"}` on one line, and stops it cleanly on SIGINT or
 * SIGTERM (`broadcast-changes-sql …` prints a migration instead). Resolves with the exit code: 0 after a clean stop, 2 for bad arguments, 1 if starting failed.
 *
 * @example
 * // bin/rtk-supabase-realtime-emulator.js
 * process.exitCode = await runEmulatorCli(process.argv.slice(2))
 */
export async function runEmulatorCli(argv: string[], env: CliEnvironment = processEnvironment): Promise<number> {
  if (argv[0] === BROADCAST_CHANGES_SQL_COMMAND) return runBroadcastChangesSqlCli(argv.slice(1), env)
  let options: StartRealtimeEmulatorOptions | 'help'
  try {
    options = await parseOptions(argv)
  } catch (error) {
    env.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    return 2
  }
  if (options === 'help') {
    env.out(USAGE)
    return 0
  }

  let signalled: (signal: string) => void = () => undefined
  const stopSignal = new Promise<string>((resolve) => (signalled = resolve))
  const removeSignalHandler = env.onStopSignal((signal) => signalled(signal))
  let emulator: RealtimeEmulator
  try {
    emulator = await env.start(options)
  } catch (error) {
    removeSignalHandler()
    env.err(
      `rtk-supabase-realtime-emulator: could not start: ${error instanceof Error ? error.message : String(error)}`,
    )
    return 1
  }
  env.out(
    JSON.stringify({
      url: emulator.url,
      anonKey: emulator.anonKey,
      serviceRoleKey: emulator.serviceRoleKey,
      databaseUrl: emulator.databaseUrl,
    }),
  )
  const signal = await stopSignal
  removeSignalHandler()
  env.err(`rtk-supabase-realtime-emulator: ${signal}, stopping`)
  await emulator.stop()
  return 0
}
