import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { emulatorClient } from './emulatorLibrary'

// A Supabase project's roles, and presence on private topics: members read room:*, only "writer" tokens may track.
const SETUP = `
  create role anon nologin;
  create role authenticated nologin;
  create role service_role nologin bypassrls;
  create policy "members read" on realtime.messages for select to authenticated using (realtime.topic() like 'room:%');
  create policy "writers track" on realtime.messages for insert to authenticated
    with check (realtime.messages.extension = 'presence'
                and (current_setting('request.jwt.claims', true)::jsonb ->> 'writer') = 'yes');
`

type PresenceEvent = { event: string; key?: string }

describe('presence through the emulator on Postgres: supabase-js sync, join and leave fire as in production', () => {
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

  /** A joined channel of `topic` with presence key `key`, recording its presence events. */
  async function member(topic: string, key: string, options: { isPrivate?: boolean; writer?: boolean } = {}) {
    const client = emulatorClient(emulator, { timeout: 2_000 })
    clients.push(client)
    if (options.isPrivate)
      await client.realtime.setAuth(emulator.signToken({ sub: key, ...(options.writer ? { writer: 'yes' } : {}) }))
    const events: PresenceEvent[] = []
    const channel: RealtimeChannel = client
      .channel(topic, { config: { private: options.isPrivate === true, presence: { key } } })
      .on('presence', { event: 'sync' }, () => events.push({ event: 'sync' }))
      .on('presence', { event: 'join' }, ({ key: joined }) => events.push({ event: 'join', key: joined }))
      .on('presence', { event: 'leave' }, ({ key: left }) => events.push({ event: 'leave', key: left }))
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : error ? reject(error) : undefined)),
    )
    return { client, channel, events }
  }

  it('syncs a late joiner, then reports joins and the leave of a client that disconnects', async () => {
    const alice = await member('lobby', 'alice')
    await expect(alice.channel.track({ online_at: 1 })).resolves.toBe('ok')
    const bob = await member('lobby', 'bob')
    await waitFor(() => bob.channel.presenceState().alice !== undefined)
    expect(bob.events).toEqual(expect.arrayContaining([{ event: 'join', key: 'alice' }, { event: 'sync' }]))

    await bob.channel.track({ online_at: 2 })
    await waitFor(() => alice.events.some((e) => e.event === 'join' && e.key === 'bob'))
    expect(Object.keys(alice.channel.presenceState()).sort()).toEqual(['alice', 'bob'])

    bob.client.realtime.disconnect()
    await waitFor(() => alice.events.some((e) => e.event === 'leave' && e.key === 'bob'))
    expect(Object.keys(alice.channel.presenceState())).toEqual(['alice'])
  })

  it('lets a private channel track only with a presence INSERT policy, as the real server checks it', async () => {
    const writer = await member('room:1', 'w', { isPrivate: true, writer: true })
    const reader = await member('room:1', 'r', { isPrivate: true })
    await expect(writer.channel.track({ here: true })).resolves.toBe('ok')
    await expect(reader.channel.track({ here: true })).resolves.toBe('error')
    await waitFor(() => reader.channel.presenceState().w !== undefined)
    expect(Object.keys(reader.channel.presenceState())).toEqual(['w'])
  })
})
