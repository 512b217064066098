/**
 * The silent detector against the emulator with real supabase-js: realtime stays connected but
 * delivers nothing for a table (postgres_changes dropped, a table taken out of the publication,
 * taken out after the join). The first change after it goes silent is visible within the safety net + 7 s
 * (the safety net finds it and marks the table silent), every later one within 7 s (the table is
 * polled on the dead-mode cadence), and `selectAlert` names the topic and the table. The safety
 * net is shortened to 15 s to keep the run short; the bound is relative to it. Wall-clock on purpose.
 * A table missing from the publication at join time is not silence but a refused subscription:
 * the channel fails with an error that says so, and its topic is polled.
 */
import pg from 'pg'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { emulatorClient } from './emulatorLibrary'
import {
  SILENT_SCHEMA_SQL,
  staleness,
  startSilentLibrary,
  TOPIC,
  writeAndWatch,
  type SilentLibrary,
  type SilentWrite,
} from './silentSupport'

const SAFETY_NET_MS = 15_000
const FRESH_MS = 7_000
const WRITES = { everyMs: 2_000, forMs: SAFETY_NET_MS + FRESH_MS + 20_000, settleMs: SAFETY_NET_MS + FRESH_MS }

/** The first write is within the safety net + 7 s; each one committed after it became visible within 7 s. */
function expectBounds(writes: SilentWrite[]) {
  const lines = staleness(writes).join('; ')
  const [first, ...rest] = writes
  expect(first?.visibleAt, lines).not.toBeNull()
  expect(first!.visibleAt! - first!.committedAt, lines).toBeLessThanOrEqual(SAFETY_NET_MS + FRESH_MS)
  const later = rest.filter((write) => write.committedAt > first!.visibleAt!)
  expect(later.length, lines).toBeGreaterThanOrEqual(4)
  for (const write of later) {
    expect(write.visibleAt, lines).not.toBeNull()
    expect(write.visibleAt! - write.committedAt, lines).toBeLessThanOrEqual(FRESH_MS)
  }
  console.log(`silent detector: ${lines}`)
}

describe('a silent table: connected, yet its changes arrive only by polling', () => {
  let emulator: RealtimeEmulator
  let writer: pg.Client
  let library: SilentLibrary | null = null
  let client: SupabaseClient | null = null

  beforeAll(async () => {
    // A publication of the two tables (not of the whole schema), so that one can be taken out of it.
    emulator = await startRealtimeEmulator({ setupSql: SILENT_SCHEMA_SQL, tables: ['todos', 'notes'] })
    writer = new pg.Client({ connectionString: emulator.databaseUrl })
    await writer.connect()
  })
  afterEach(async () => {
    emulator.faults.reset()
    await library?.stop()
    library = null
    client = null
    // Deletes, not a truncate: a TRUNCATE of both tables left the next test without todos events.
    await writer.query('delete from todos')
    await writer.query('delete from notes')
  })
  afterAll(async () => {
    await writer?.end()
    await emulator?.stop()
  })

  async function ready(tables: Array<'todos' | 'notes'>): Promise<SilentLibrary> {
    client = emulatorClient(emulator)
    const started = startSilentLibrary(client, tables, SAFETY_NET_MS)
    library = started
    await waitFor(() => started.ready(), { timeoutMs: 15_000, message: 'subscribed and loaded' })
    return started
  }

  it('postgres_changes dropped: first change within the safety net + 7 s, later ones within 7 s, alert names the table', async () => {
    const lib = await ready(['todos'])
    emulator.faults.postgresChanges('drop')
    const writes = await writeAndWatch(writer, lib, ['todos'], WRITES)
    expectBounds(writes)
    expect(lib.alert()).toMatchObject({ type: 'REALTIME_SILENT', topic: TOPIC, table: 'public.todos' })
    expect(lib.metrics().eventsMissed).toBeGreaterThanOrEqual(1)
    expect(lib.connections.at(-1)).toBe('connected')
    expect(lib.connections).not.toContain('reconnecting')
    expect(lib.warnings.join('\n')).toMatch(/public\.todos on topic project delivered no event.*publication.*RLS/)

    // Healed: the next change arrives as an event, which clears the source.
    emulator.faults.postgresChanges(null)
    await writer.query(`insert into todos (title) values ('healed')`)
    await waitFor(() => lib.alert() === false, { timeoutMs: FRESH_MS, message: 'the alert cleared by an event' })
    expect(lib.state().sources).toEqual({})
    expect(lib.state().metrics.pollIntervalMs).toBe(SAFETY_NET_MS)
  })

  it('two tables on one topic, one taken out of the publication: only that one is silent, and it is polled', async () => {
    const lib = await ready(['todos', 'notes'])
    // The server checks the publication once it has the join: a table taken out before that check
    // is a refused subscription (the next describe). A change of todos delivered by realtime proves
    // the channel's subscription (both tables, checked together) is in place.
    await writer.query(`insert into todos (title) values ('subscribed')`)
    await waitFor(() => lib.state().metrics.eventsRouted > 0, { timeoutMs: FRESH_MS, message: 'a todos event' })
    // A migration left notes out of the publication: its subscription stays, and no change of it is streamed.
    const { rows } = await writer.query<{ pubname: string }>(
      `select pubname from pg_publication where pubname like 'rtk_emulator_%'`,
    )
    await writer.query(`alter publication ${rows[0]!.pubname} drop table notes`)
    const writes = await writeAndWatch(writer, lib, ['todos', 'notes'], WRITES)
    const todos = writes.filter((write) => write.table === 'todos')
    // The healthy table keeps arriving by events, and is never suspected.
    for (const write of todos)
      expect(write.visibleAt! - write.committedAt, staleness(todos).join('; ')).toBeLessThan(FRESH_MS)
    expectBounds(writes.filter((write) => write.table === 'notes'))
    expect(lib.alert()).toMatchObject({
      type: 'REALTIME_SILENT',
      topic: TOPIC,
      table: 'public.notes',
      bindings: ['public.notes'],
    })
    expect(Object.values(lib.state().sources).map((source) => source.tag)).toEqual([{ type: 'Rows', id: 'notes' }])
    expect(lib.connections).not.toContain('reconnecting')
  })
})

describe('a table missing from the publication when the topic joins', () => {
  let emulator: RealtimeEmulator
  let writer: pg.Client
  let library: SilentLibrary | null = null

  beforeAll(async () => {
    emulator = await startRealtimeEmulator({ setupSql: SILENT_SCHEMA_SQL, tables: ['todos'] })
    writer = new pg.Client({ connectionString: emulator.databaseUrl })
    await writer.connect()
  })
  afterAll(async () => {
    await library?.stop()
    await writer?.end()
    await emulator?.stop()
  })

  // As the real server does, the emulator then refuses every postgres_changes binding of the channel
  // (a system message, "Unable to subscribe to changes…", after the join reply). That is a
  // configuration error, not silence: the channel fails with an error naming the tables and the
  // publication, its topic is polled, and it is not retried in a loop.
  it('fails the channel with an error naming the tables and the publication, and polls both tables', async () => {
    const lib = (library = startSilentLibrary(emulatorClient(emulator), ['todos', 'notes'], SAFETY_NET_MS))
    await waitFor(() => lib.state().channels[TOPIC]?.state === 'error', { timeoutMs: 15_000, message: 'refused' })
    const writes = await writeAndWatch(writer, lib, ['todos', 'notes'], {
      everyMs: 2_000,
      forMs: 16_000,
      settleMs: FRESH_MS,
    })
    for (const write of writes) expect(write.visibleAt, staleness(writes).join('; ')).not.toBeNull()
    const later = writes.slice(1)
    for (const write of later)
      expect(write.visibleAt! - write.committedAt, staleness(writes).join('; ')).toBeLessThanOrEqual(FRESH_MS)
    const channel = lib.state().channels[TOPIC]!
    expect(channel.state).toBe('error')
    expect(channel.lastError?.message).toMatch(/public\.notes.*Unable to subscribe.*publication/)
    expect(lib.state().metrics.serverRefusals).toEqual({ 'subscription-refused': 1 })
    expect(lib.state().sources).toEqual({})
  })
})
