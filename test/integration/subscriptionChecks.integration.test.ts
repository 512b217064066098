import type { RealtimePostgresChangesPayload, SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { emulatorClient, sql } from './emulatorLibrary'

type Change = RealtimePostgresChangesPayload<Record<string, unknown>>
type System = { extension: string; status: string; message: string }

const SETUP = `
  create table items (id bigint primary key, name text, price numeric, done boolean);
  create table lines (body text);
  create schema private;
  create table private.secrets (id bigint primary key);
`

describe('postgres_changes subscriptions are checked against the publication on a real Postgres', () => {
  let emulator: RealtimeEmulator
  let clients: SupabaseClient[] = []

  beforeAll(async () => {
    emulator = await startRealtimeEmulator({ setupSql: SETUP })
  })
  afterEach(async () => {
    for (const client of clients) {
      await client.removeAllChannels()
      await client.realtime.disconnect()
    }
    clients = []
  })
  afterAll(async () => {
    await emulator.stop()
  })

  /** Subscribes one binding and resolves with its postgres_changes system message and the changes seen. */
  async function subscribeTo(params: Record<string, unknown>): Promise<{ system: System; seen: Change[] }> {
    const client = emulatorClient(emulator)
    clients.push(client)
    const seen: Change[] = []
    const systems: System[] = []
    const channel = client
      .channel(`t${clients.length}`)
      .on('postgres_changes', params as never, (change: Change) => seen.push(change))
      .on('system', {}, (payload: System) => systems.push(payload))
    channel.subscribe()
    const system = await waitFor(() => systems.find((s) => s.extension === 'postgres_changes'), { timeoutMs: 10_000 })
    return { system, seen }
  }

  it('subscribes a published table, and delivers only the rows its combined filter passes, trimmed to select', async () => {
    const { system, seen } = await subscribeTo({
      event: 'INSERT',
      schema: 'public',
      table: 'items',
      filter: 'price=gte.2,price=lte.4,name=ilike.%a%',
      select: ['name'],
    })
    expect(system.message).toBe('Subscribed to PostgreSQL')
    await sql(
      emulator,
      `insert into items values (1, 'apple', 1, true), (2, 'pear', 3, false), (3, 'banana', 5, true), (4, 'kiwi', 3, null)`,
    )
    await waitFor(() => seen.length >= 1, { timeoutMs: 10_000 })
    await sql(emulator, `insert into items values (5, 'last', 3, true)`) // after the others: once it is in, so are they
    const { seen: marker } = await subscribeTo({ event: 'INSERT', schema: 'public', table: 'items', filter: 'id=eq.6' })
    await sql(emulator, `insert into items values (6, 'marker', 0, true)`)
    await waitFor(() => marker.length === 1, { timeoutMs: 10_000 })
    expect(seen.map((change) => change.new)).toEqual([
      { id: 2, name: 'pear' },
      { id: 5, name: 'last' },
    ])
  })

  it.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown table',
      { event: '*', schema: 'public', table: 'nope' },
      'Please check Realtime is enabled for the given connect parameters: [event: *, schema: public, table: nope, filters: [], select: nil]',
    ],
    [
      'a table outside the publication',
      { event: '*', schema: 'private', table: 'secrets' },
      'Please check Realtime is enabled for the given connect parameters: [event: *, schema: private, table: secrets',
    ],
    [
      'a filter on a missing column',
      { event: '*', schema: 'public', table: 'items', filter: 'owner=eq.1' },
      'Exception: ERROR P0001 (raise_exception) invalid column for filter owner',
    ],
    [
      'a value that does not cast',
      { event: '*', schema: 'public', table: 'items', filter: 'price=lt.cheap' },
      'Exception: ERROR 22P02 (invalid_text_representation) invalid input syntax for type numeric: "cheap"',
    ],
  ])('refuses %s with the real system error', async (_name, params, text) => {
    const { system } = await subscribeTo(params)
    expect(system.status).toBe('error')
    expect(system.message).toMatch(/^Unable to subscribe to changes with given parameters\. /)
    expect(system.message).toContain(text)
  })

  it('sends an insert into a table without a primary key as the 400 error', async () => {
    const { system, seen } = await subscribeTo({ event: 'INSERT', schema: 'public', table: 'lines' })
    expect(system.message).toBe('Subscribed to PostgreSQL')
    await sql(emulator, `insert into lines values ('hello')`)
    await waitFor(() => seen.length === 1, { timeoutMs: 10_000 })
    expect(seen[0]).toMatchObject({
      table: 'lines',
      eventType: 'INSERT',
      new: {},
      errors: ['Error 400: Bad Request, no primary key'],
    })
  })

  it('signs tokens with a fresh jti, so two tokens signed in the same second differ', () => {
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
    const [a, b] = [emulator.signToken({ sub: 'u' }), emulator.signToken({ sub: 'u' })]
    expect(a).not.toBe(b)
    expect(claims(a).jti).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/))
    expect(claims(emulator.signToken({ jti: 'mine' })).jti).toBe('mine')
  })
})
