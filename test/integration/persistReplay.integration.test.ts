import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { emulatorClient, sql } from './emulatorLibrary'

type Message = { event: string; payload: Record<string, unknown>; meta?: { replayed?: boolean; id?: string } }

describe('persist: a stored client broadcast is replayed later, and delivered live only once', () => {
  let emulator: RealtimeEmulator
  let clients: SupabaseClient[] = []

  beforeAll(async () => {
    emulator = await startRealtimeEmulator({})
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

  /** A private channel of `topic` (with `replay` when given) recording its broadcasts; resolves once joined. */
  async function listen(topic: string, replay?: { since: number }) {
    const client = emulatorClient(emulator)
    clients.push(client)
    await client.realtime.setAuth(emulator.signToken({ sub: 'user-1' }))
    const messages: Message[] = []
    const channel = client
      .channel(topic, { config: { private: true, broadcast: (replay ? { replay } : {}) as never } })
      .on('broadcast', { event: '*' }, (m) => messages.push(m as unknown as Message))
    await new Promise<void>((resolve, reject) =>
      channel.subscribe((status, error) => (status === 'SUBSCRIBED' ? resolve() : error ? reject(error) : undefined)),
    )
    return messages
  }

  /** What supabase-js 2.119's `httpSend(event, payload, { persist: true })` sends. */
  const httpSendPersisted = (topic: string, payload: unknown) =>
    fetch(`${emulator.url}/realtime/v1/api/broadcast/${topic}/events/note?private=true&persist=true`, {
      method: 'POST',
      headers: {
        apikey: emulator.anonKey,
        authorization: `Bearer ${emulator.signToken({ sub: 'user-1' })}`,
        'content-type': payload instanceof Uint8Array ? 'application/octet-stream' : 'application/json',
      },
      body: payload instanceof Uint8Array ? (payload.buffer as ArrayBuffer) : JSON.stringify(payload),
    })

  it('stores the message in realtime.messages, replays it to a later join, and sends it to a live one once', async () => {
    const since = Date.now() - 60_000
    const live = await listen('notes:1')
    expect((await httpSendPersisted('notes:1', { n: 1 })).status).toBe(202)
    const rows = await sql(emulator, `select event, payload, private from realtime.messages where topic = 'notes:1'`)
    expect(rows.rows).toEqual([{ event: 'note', payload: { n: 1 }, private: true }])

    const later = await listen('notes:1', { since })
    await waitFor(() => later.length === 1, { timeoutMs: 10_000 })
    expect(later[0]).toMatchObject({ event: 'note', payload: { n: 1 }, meta: { replayed: true } })

    // A marker sent through replication after the stored row: once it arrives, a second copy would have too.
    await sql(emulator, `select realtime.send('{"marker": true}'::jsonb, 'note', 'notes:1')`)
    await waitFor(() => live.some((m) => m.payload.marker === true), { timeoutMs: 10_000 })
    expect(live.filter((m) => m.payload.n === 1)).toHaveLength(1)
  })

  it('stores raw bytes as binary_payload and replays them as bytes', async () => {
    const since = Date.now() - 60_000
    expect((await httpSendPersisted('notes:2', new Uint8Array([1, 2, 255]))).status).toBe(202)
    const later = await listen('notes:2', { since })
    await waitFor(() => later.length === 1, { timeoutMs: 10_000 })
    expect(new Uint8Array(later[0]!.payload as unknown as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 255]))
  })
})
