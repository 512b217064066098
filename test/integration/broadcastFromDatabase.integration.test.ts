import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { emulatorClient, sql } from './emulatorLibrary'

const SETUP = `
  create table todos (id bigint primary key, title text);
  create function todos_broadcast() returns trigger language plpgsql security definer as $$
  begin
    perform realtime.broadcast_changes('todos', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
    return null;
  end $$;
  create trigger todos_broadcast after insert or update or delete on todos for each row execute function todos_broadcast();
`
type Message = { event: string; payload: Record<string, unknown>; meta?: { id?: string } }

describe('Broadcast from Database: realtime.send and realtime.broadcast_changes reach subscribed channels', () => {
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

  /** A channel of `topic` that records every broadcast and system message; resolves once joined. */
  async function listen(
    topic: string,
    {
      isPrivate = false,
      vsn = '2.0.0',
      config = {},
    }: { isPrivate?: boolean; vsn?: string; config?: Record<string, unknown> } = {},
  ) {
    const client = emulatorClient(emulator, { vsn })
    clients.push(client)
    if (isPrivate) await client.realtime.setAuth(emulator.signToken({ sub: 'user-1' }))
    const messages: Message[] = []
    const systems: { extension: string; message: string }[] = []
    const channel = client
      .channel(topic, { config: { private: isPrivate, broadcast: config } as never })
      .on('broadcast', { event: '*' }, (message) => messages.push(message as unknown as Message))
      .on('system', {}, (payload: { extension: string; message: string }) => systems.push(payload))
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : error ? reject(error) : undefined)),
    )
    return { messages, systems }
  }

  it('delivers realtime.send to public channels (vsn 2.0.0 and 1.0.0) with the message id in the payload and in meta', async () => {
    const [v2, v1] = [await listen('room'), await listen('room', { vsn: '1.0.0' })]
    const privateRoom = await listen('room', { isPrivate: true })
    await sql(emulator, `select realtime.send('{"n": 1}'::jsonb, 'ping', 'room', false)`)
    await waitFor(() => v2.messages.length === 1 && v1.messages.length === 1, { timeoutMs: 10_000 })
    for (const { messages } of [v2, v1]) {
      const [message] = messages
      expect(message).toMatchObject({ event: 'ping', payload: { n: 1, id: expect.stringMatching(/^[0-9a-f-]{36}$/) } })
      expect(message!.meta?.id).toBe(message!.payload.id)
    }
    await sql(emulator, `select realtime.send('{"n": 2}'::jsonb, 'ping', 'room')`) // private by default
    await waitFor(() => privateRoom.messages.length === 1, { timeoutMs: 10_000 })
    expect(privateRoom.messages.map((m) => m.payload.n)).toEqual([2])
    expect(v2.messages.map((m) => m.payload.n)).toEqual([1])
  })

  it('sends row changes from a broadcast_changes trigger to the private topic', async () => {
    const { messages } = await listen('todos', { isPrivate: true })
    await sql(emulator, `insert into todos values (1, 'milk')`)
    await sql(emulator, `update todos set title = 'oat milk' where id = 1`)
    await sql(emulator, `delete from todos where id = 1`)
    await waitFor(() => messages.length === 3, { timeoutMs: 10_000 })
    expect(messages.map((m) => m.event)).toEqual(['INSERT', 'UPDATE', 'DELETE'])
    expect(messages[0]!.payload).toMatchObject({
      operation: 'INSERT',
      table: 'todos',
      schema: 'public',
      record: { id: 1, title: 'milk' },
      old_record: null,
    })
    expect(messages[1]!.payload).toMatchObject({ record: { title: 'oat milk' }, old_record: { title: 'milk' } })
    expect(messages[2]!.payload).toMatchObject({ record: null, old_record: { id: 1 } })
  })

  it('tells a join that opts in to replication_ready that the replication connection is established', async () => {
    const { systems } = await listen('ready', { config: { replication_ready: true } })
    await waitFor(() => systems.length >= 1, { timeoutMs: 10_000 })
    expect(systems).toContainEqual(
      expect.objectContaining({ extension: 'system', status: 'ok', message: 'Replication connection established' }),
    )
  })

  it('keeps a failed send from failing the caller, as the real function does (a warning)', async () => {
    const result = await sql(emulator, `select realtime.send('{}'::jsonb, 'e', null)`)
    expect(result.rowCount).toBe(1)
  })
})

describe('broadcast replay on private channels', () => {
  let emulator: RealtimeEmulator
  let clients: SupabaseClient[] = []
  beforeAll(async () => {
    emulator = await startRealtimeEmulator()
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

  async function joinWithReplay(topic: string, replay: unknown) {
    const client = emulatorClient(emulator)
    clients.push(client)
    await client.realtime.setAuth(emulator.signToken({ sub: 'user-1' }))
    const messages: Message[] = []
    const channel = client
      .channel(topic, { config: { private: true, broadcast: { replay } as never } })
      .on('broadcast', { event: '*' }, (m) => messages.push(m as unknown as Message))
    const outcome = await new Promise<{ status: string; message?: string }>((resolve) =>
      channel.subscribe((status, error) =>
        status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR'
          ? resolve(error ? { status, message: error.message } : { status })
          : undefined,
      ),
    )
    return { outcome, messages }
  }

  it('replays the newest `limit` private messages since `since`, oldest first, with meta.replayed and meta.id, and not again live', async () => {
    const since = Date.now() - 60_000
    for (const n of [1, 2, 3])
      await sql(emulator, `select realtime.send(jsonb_build_object('n', ${n}), 'note', 'log:1')`)
    await sql(emulator, `select realtime.send('{"n": 9}'::jsonb, 'note', 'log:1', false)`) // public: never replayed
    const { outcome, messages } = await joinWithReplay('log:1', { since, limit: 2 })
    expect(outcome).toEqual({ status: 'SUBSCRIBED' })
    await waitFor(() => messages.length === 2, { timeoutMs: 10_000 })
    expect(messages.map((m) => m.payload.n)).toEqual([2, 3])
    expect(
      messages.every(
        (m) => (m.meta as { replayed?: boolean } | undefined)?.replayed === true && m.meta?.id === m.payload.id,
      ),
    ).toBe(true)
    await sql(emulator, `select realtime.send('{"n": 4}'::jsonb, 'note', 'log:1')`)
    await waitFor(() => messages.length === 3, { timeoutMs: 10_000 })
    expect(messages.map((m) => m.payload.n)).toEqual([2, 3, 4])
  })

  it('refuses replay with invalid params, with the real reason (supabase-js itself refuses it on public channels)', async () => {
    expect((await joinWithReplay('log:2', { since: 'yesterday' })).outcome).toEqual({
      status: 'CHANNEL_ERROR',
      message: 'UnableToReplayMessages: Replay params are not valid',
    })
  })
})
