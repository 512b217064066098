import type { RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { emulatorClient, sql } from './emulatorLibrary'

type Change = RealtimePostgresChangesPayload<Record<string, unknown>>

// A Supabase-like project: the roles, and a table whose rows only their owner may read.
const SETUP = `
  create role anon nologin;
  create role authenticated nologin;
  create table todos (id bigint primary key, owner text not null, title text);
  alter table todos replica identity full;
  alter table todos enable row level security;
  grant select on todos to authenticated;
  create policy "owners read" on todos for select to authenticated
    using (owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub');
  create table open_notes (id bigint primary key, body text);
  grant select on open_notes to authenticated;
`

describe('postgres_changes of an RLS table reach only subscribers whose role and claims can SELECT the row', () => {
  let emulator: RealtimeEmulator
  let clients: SupabaseClient[] = []

  beforeAll(async () => {
    emulator = await startRealtimeEmulator({ setupSql: SETUP })
  })
  afterEach(async () => {
    for (const client of clients) {
      await client.removeAllChannels()
      client.realtime.disconnect()
    }
    clients = []
  })
  afterAll(async () => {
    await emulator.stop()
  })

  async function watch(sub: string, table: string): Promise<Change[]> {
    const client = emulatorClient(emulator)
    clients.push(client)
    await client.realtime.setAuth(emulator.signToken({ sub }))
    const seen: Change[] = []
    const systems: { message: string }[] = []
    client
      .channel(`${table}:${sub}`)
      .on('postgres_changes', { event: '*', schema: 'public', table }, (change) => seen.push(change))
      .on('system', {}, (payload: { message: string }) => systems.push(payload))
      .subscribe()
    await waitFor(() => systems.find((s) => s.message === 'Subscribed to PostgreSQL'), { timeoutMs: 10_000 })
    return seen
  }

  it('delivers an insert only to its owner, and a delete to both with old_record trimmed to the key', async () => {
    const [alice, bob] = [await watch('alice', 'todos'), await watch('bob', 'todos')]
    await sql(emulator, `insert into todos values (1, 'alice', 'milk'), (2, 'bob', 'bread')`)
    await waitFor(() => alice.length === 1 && bob.length === 1, { timeoutMs: 10_000 })
    await sql(emulator, `delete from todos where id = 1`)
    await waitFor(() => alice.length === 2 && bob.length === 2, { timeoutMs: 10_000 })
    expect(alice.map((c) => [c.eventType, c.new, c.old])).toEqual([
      ['INSERT', { id: 1, owner: 'alice', title: 'milk' }, {}],
      ['DELETE', {}, { id: 1 }],
    ])
    expect(bob.map((c) => [c.eventType, c.new, c.old])).toEqual([
      ['INSERT', { id: 2, owner: 'bob', title: 'bread' }, {}],
      ['DELETE', {}, { id: 1 }],
    ])
  })

  it('leaves tables without RLS alone', async () => {
    const seen = await watch('carol', 'open_notes')
    await sql(emulator, `insert into open_notes values (1, 'for all')`)
    await waitFor(() => seen.length === 1, { timeoutMs: 10_000 })
    expect(seen[0]!.new).toEqual({ id: 1, body: 'for all' })
  })
})
