import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { emulatorClient } from './emulatorLibrary'

// The roles and policies a Supabase project has: a user reads room:<own id>, and writes there when the token says so.
const SETUP = `
  create role anon nologin;
  create role authenticated nologin;
  create role service_role nologin bypassrls;
  create policy "members read" on realtime.messages for select to authenticated
    using (realtime.topic() = 'room:' || (current_setting('request.jwt.claims', true)::jsonb ->> 'sub'));
  create policy "writers write" on realtime.messages for insert to authenticated
    with check (realtime.topic() = 'room:' || (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')
                and (current_setting('request.jwt.claims', true)::jsonb ->> 'writer') = 'yes');
`

describe('private channels are authorized by RLS policies on realtime.messages, as on Supabase', () => {
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

  /** A user's client on a private topic: its status, errors, system messages and broadcasts. */
  async function join(sub: string, topic: string, extra: Record<string, unknown> = {}) {
    const client = emulatorClient(emulator, { timeout: 1_000 })
    clients.push(client)
    await client.realtime.setAuth(emulator.signToken({ sub, ...extra }))
    const received: unknown[] = []
    const systems: { message: string }[] = []
    const channel = client
      .channel(topic, { config: { private: true, broadcast: { ack: true } } })
      .on('broadcast', { event: '*' }, (message) => received.push(message.payload))
      .on('system', {}, (payload: { message: string }) => systems.push(payload))
    const outcome = await new Promise<{ status: string; message?: string }>((resolve) =>
      channel.subscribe((status, error) => {
        if (status === 'SUBSCRIBED' || status === 'CHANNEL_ERROR')
          resolve(error ? { status, message: error.message } : { status })
      }),
    )
    return { client, channel, outcome, received, systems }
  }

  it('lets a user join the topic its SELECT policy allows, and refuses another with the real reason', async () => {
    expect((await join('alice', 'room:alice')).outcome).toEqual({ status: 'SUBSCRIBED' })
    expect((await join('alice', 'room:bob')).outcome).toEqual({
      status: 'CHANNEL_ERROR',
      message: 'Unauthorized: You do not have permissions to read from this Channel topic: room:bob',
    })
  })

  it('relays a broadcast only with an INSERT policy; without one it is dropped and never acked', async () => {
    const listener = await join('carol', 'room:carol')
    const reader = await join('carol', 'room:carol')
    let acked = false
    void reader.channel
      .send({ type: 'broadcast', event: 'note', payload: { n: 1 } })
      .then((answer) => (acked = answer === 'ok'))
    // answered after the broadcast on the same socket: an ack would have come first (untrack
    // needs no policy; track would need a presence INSERT policy, as on the real server)
    expect(await reader.channel.untrack()).toBe('ok')
    expect(acked).toBe(false)
    const writer = await join('carol', 'room:carol', { writer: 'yes' })
    expect(await writer.channel.send({ type: 'broadcast', event: 'note', payload: { n: 2 } })).toBe('ok')
    await waitFor(() => listener.received.length === 1, { timeoutMs: 5_000 })
    expect(listener.received).toEqual([{ n: 2 }])
  })

  it('shuts a channel down when a new access_token may no longer read it', async () => {
    const { client, systems } = await join('dave', 'room:dave')
    await client.realtime.setAuth(emulator.signToken({ sub: 'eve' }))
    await waitFor(() => systems.length >= 1, { timeoutMs: 5_000 })
    expect(systems[0]!.message).toBe('You no longer have permission to read from this Channel topic: room:dave')
  })

  it('answers a REST httpSend to a private topic 403 without a write policy, and 202 with one', async () => {
    const send = async (extra: Record<string, unknown>) => {
      const response = await fetch(
        `${emulator.url}/realtime/v1/api/broadcast/${encodeURIComponent('room:frank')}/events/note?private=true`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            apikey: emulator.anonKey,
            authorization: `Bearer ${emulator.signToken({ sub: 'frank', ...extra })}`,
          },
          body: '{"n":3}',
        },
      )
      return response.status
    }
    expect(await send({})).toBe(403)
    expect(await send({ writer: 'yes' })).toBe(202)
  })
})
