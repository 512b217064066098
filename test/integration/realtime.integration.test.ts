import { createClient, type RealtimePostgresChangesPayload, type SupabaseClient } from '@supabase/supabase-js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runEmulatorCli, startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { emulatorClient, SCHEMA_SQL, sql, startLibrary, type LibraryUnderTest, type Todo } from './emulatorLibrary'

type Change = RealtimePostgresChangesPayload<Record<string, unknown>>

describe('the emulator on a real Postgres, with the real supabase-js client', () => {
  let emulator: RealtimeEmulator
  let clients: SupabaseClient[] = []
  let library: LibraryUnderTest | null = null

  beforeAll(async () => {
    emulator = await startRealtimeEmulator({ setupSql: SCHEMA_SQL })
  })
  afterEach(async () => {
    await library?.stop()
    library = null
    for (const client of clients) {
      await client.removeAllChannels()
      await client.realtime.disconnect()
    }
    clients = []
    await sql(emulator, 'truncate todos restart identity')
  })
  afterAll(async () => {
    const { url, databaseUrl } = emulator
    await emulator.stop()
    await emulator.stop() // idempotent
    // Nothing is left listening: neither the HTTP server nor the database.
    await expect(fetch(`${url}/rest/v1/todos`)).rejects.toThrow()
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 })
    await expect(client.connect()).rejects.toThrow()
  })

  const client = (): SupabaseClient => {
    const made = emulatorClient(emulator)
    clients.push(made)
    return made
  }

  it('binds to 127.0.0.1 and hands out a working anon key', async () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(emulator.databaseUrl).toMatch(/@(127\.0\.0\.1|localhost):\d+\//)
    const { data, error } = await client().from('todos').select('*')
    expect(error).toBeNull()
    expect(data).toEqual([])
  })

  it('delivers rows written with SQL to a supabase-js postgres_changes callback, typed by their columns', async () => {
    const supabase = client()
    const seen: Change[] = []
    const system: unknown[] = []
    const subscribed = new Promise<void>((resolve) => {
      supabase
        .channel('todos')
        .on('postgres_changes', { event: '*', schema: 'public', table: 'todos' }, (change) => seen.push(change))
        .on('system', {}, (payload) => system.push(payload))
        .subscribe((status) => status === 'SUBSCRIBED' && resolve())
    })
    await subscribed
    await sql(emulator, `insert into todos (title) values ('milk')`)
    await sql(emulator, `update todos set done = true where title = 'milk'`)
    await sql(emulator, `delete from todos where title = 'milk'`)
    await waitFor(() => seen.length === 3, { timeoutMs: 10_000 })
    expect(seen.map((change) => change.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE'])
    expect(seen[0]).toMatchObject({ schema: 'public', table: 'todos', new: { id: 1, title: 'milk', done: false } })
    expect(seen[1]).toMatchObject({ new: { id: 1, done: true }, old: { id: 1, done: false } })
    expect(seen[2]).toMatchObject({ old: { id: 1, title: 'milk' } })
    expect(Date.parse(seen[0]!.commit_timestamp)).not.toBeNaN()
    expect(system).toContainEqual({
      extension: 'postgres_changes',
      status: 'ok',
      message: 'Subscribed to PostgreSQL',
      channel: 'todos',
    })
  })

  it('applies row filters on the server against real rows', async () => {
    const supabase = client()
    const seen: Change[] = []
    await new Promise<void>((resolve) => {
      supabase
        .channel('filtered')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos', filter: 'id=gt.2' }, (change) =>
          seen.push(change),
        )
        .subscribe((status) => status === 'SUBSCRIBED' && resolve())
    })
    await sql(emulator, `insert into todos (title) select 'todo ' || n from generate_series(1, 4) as n`)
    await waitFor(() => seen.length === 2, { timeoutMs: 10_000 })
    expect(seen.map((change) => (change.new as Todo).id)).toEqual([3, 4])
  })

  it('writes through PostgREST with a signed-in user and reports the write on realtime', async () => {
    const supabase = client()
    await supabase.realtime.setAuth(emulator.signToken({ sub: 'user-1' }))
    const seen: Change[] = []
    await new Promise<void>((resolve) => {
      supabase
        .channel('writes')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos' }, (change) => seen.push(change))
        .subscribe((status) => status === 'SUBSCRIBED' && resolve())
    })
    const { data, error } = await supabase.from('todos').insert({ title: 'via rest' }).select().single()
    expect(error).toBeNull()
    expect(data).toMatchObject({ title: 'via rest', done: false })
    await waitFor(() => seen.length === 1, { timeoutMs: 10_000 })
    expect(seen[0]!.new).toEqual(data)
  })

  it('shows a SQL insert in the RTK Query cache through the whole library', async () => {
    library = startLibrary(emulator)
    const lib = library
    await waitFor(() => lib.state().channels.todos?.state === 'subscribed' && lib.cachedTodos() !== undefined, {
      timeoutMs: 15_000,
    })
    expect(lib.cachedTodos()).toEqual([])
    expect(lib.state().connection).toBe('connected')
    await sql(emulator, `insert into todos (title) values ('from sql')`)
    await waitFor(() => lib.cachedTodos()?.length === 1, { timeoutMs: 10_000, message: 'the insert reached the cache' })
    expect(lib.cachedTodos()).toEqual([{ id: 1, title: 'from sql', done: false }])
    expect(lib.state().metrics.eventsRouted).toBeGreaterThanOrEqual(1)
    expect(lib.errors).toEqual([])
  })
})

describe('the CLI', () => {
  it('starts the emulator with --setup-sql, prints url and anonKey on one line, and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-cli-'))
    const out: string[] = []
    let signal: ((name: string) => void) | null = null
    try {
      await writeFile(
        join(dir, 'setup.sql'),
        `create table notes (id bigint primary key, body text); insert into notes values (1, 'seeded');`,
      )
      const exit = runEmulatorCli(['--setup-sql', join(dir, 'setup.sql')], {
        out: (line) => out.push(line),
        err: () => undefined,
        onStopSignal: (handler) => ((signal = handler), () => (signal = null)),
        start: startRealtimeEmulator,
      })
      await waitFor(() => out.length === 1, { timeoutMs: 60_000 })
      const printed = JSON.parse(out[0]!) as { url: string; anonKey: string }
      const supabase = createClient(printed.url, printed.anonKey, { auth: { persistSession: false } })
      expect((await supabase.from('notes').select('*')).data).toEqual([{ id: 1, body: 'seeded' }])
      signal!('SIGTERM')
      await expect(exit).resolves.toBe(0)
      expect(signal).toBeNull()
      await expect(fetch(`${printed.url}/rest/v1/notes`)).rejects.toThrow()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
