import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runEmulatorCli, type CliEnvironment } from '../../src/testing/emulator/cli'
import type { RealtimeEmulator, StartRealtimeEmulatorOptions } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'

function fakeEnvironment(fail = false) {
  const out: string[] = []
  const err: string[] = []
  const started: StartRealtimeEmulatorOptions[] = []
  let signal: ((name: string) => void) | null = null
  let stopped = 0
  const env: CliEnvironment = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    onStopSignal(handler) {
      signal = handler
      return () => {
        signal = null
      }
    },
    async start(options) {
      if (fail) throw new Error('port in use')
      started.push(options)
      return {
        url: 'http://127.0.0.1:5555',
        anonKey: 'anon',
        serviceRoleKey: 'service',
        databaseUrl: 'postgres://db',
        stop: async () => void stopped++,
      } as unknown as RealtimeEmulator
    },
  }
  return {
    env,
    out,
    err,
    started,
    send: (name: string) => signal?.(name),
    get listening() {
      return signal !== null
    },
    get stopped() {
      return stopped
    },
  }
}

describe('runEmulatorCli', () => {
  it('starts with the options given, prints url and anonKey as JSON on one line, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-cli-'))
    try {
      const sqlFile = join(dir, 'setup.sql')
      await writeFile(sqlFile, 'create table todos (id bigint primary key);')
      const fake = fakeEnvironment()
      const exit = runEmulatorCli(
        [
          '--port',
          '5555',
          '--database-url',
          'postgres://x',
          '--setup-sql',
          sqlFile,
          '--tables',
          'todos, notes',
          '--plan',
          'free',
          '--verbose',
        ],
        fake.env,
      )
      await waitFor(() => fake.out.length === 1)
      expect(JSON.parse(fake.out[0]!)).toEqual({
        url: 'http://127.0.0.1:5555',
        anonKey: 'anon',
        serviceRoleKey: 'service',
        databaseUrl: 'postgres://db',
      })
      expect(fake.out[0]).not.toContain('\n')
      expect(fake.started).toEqual([
        {
          port: 5555,
          databaseUrl: 'postgres://x',
          setupSql: 'create table todos (id bigint primary key);',
          tables: ['todos', 'notes'],
          limits: 'free',
          verbose: true,
        },
      ])
      fake.send('SIGTERM')
      await expect(exit).resolves.toBe(0)
      expect(fake.stopped).toBe(1)
      expect(fake.listening).toBe(false)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it.each([
    [['--port', 'eighty'], /--port: expected a port number/],
    [['--port', '70000'], /--port/],
    [['--plan', 'enterprise'], /--plan: expected free, pro or team, got "enterprise"/],
    [['--unknown'], /Unknown option '--unknown'/],
    [['stray'], /Unexpected argument 'stray'/],
    [['--setup-sql', '/nonexistent/setup.sql'], /--setup-sql: cannot read \/nonexistent\/setup.sql \(ENOENT\)/],
  ])('refuses %j with exit code 2 and the usage', async (argv, message) => {
    const fake = fakeEnvironment()
    await expect(runEmulatorCli(argv, fake.env)).resolves.toBe(2)
    expect(fake.err.join('\n')).toMatch(message)
    expect(fake.err.join('\n')).toContain('Usage: rtk-supabase-realtime-emulator')
    expect(fake.started).toEqual([])
  })

  it('prints the usage for --help and exits 0 without starting', async () => {
    const fake = fakeEnvironment()
    await expect(runEmulatorCli(['--help'], fake.env)).resolves.toBe(0)
    expect(fake.out[0]).toContain('--setup-sql <file>')
    expect(fake.started).toEqual([])
  })

  it('prints the Broadcast from Database SQL for broadcast-changes-sql, without starting the emulator', async () => {
    const fake = fakeEnvironment()
    const argv = ['broadcast-changes-sql', '--table', 'todos', '--topic', 'todos']
    await expect(runEmulatorCli(argv, fake.env)).resolves.toBe(0)
    expect(fake.out[0]).toContain('perform realtime.broadcast_changes(')
    expect(fake.started).toEqual([])
    await expect(runEmulatorCli(['broadcast-changes-sql'], fake.env)).resolves.toBe(2)
    expect(fake.err[0]).toContain('--table is required')
  })

  it('exits 1 with the reason when the emulator cannot start', async () => {
    const fake = fakeEnvironment(true)
    await expect(runEmulatorCli([], fake.env)).resolves.toBe(1)
    expect(fake.err).toEqual(['rtk-supabase-realtime-emulator: could not start: port in use'])
    expect(fake.listening).toBe(false)
  })
})
