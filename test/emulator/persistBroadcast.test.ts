import { afterEach, describe, expect, it } from 'vitest'
import type { MessageReplay } from '../../src/testing/emulator/db/messageReplay'
import { waitFor } from '../support/waitFor'
import { KEYS, reached, startHarness, subscribe, userToken, type Harness, type RawClient } from './emulatorSupport'

/** A kind 3 (userBroadcastPush) frame with a JSON payload and `meta`, as supabase-js 2.119 encodes `send({ persist })`. */
function kind3(joinRef: string, ref: string, topic: string, event: string, payload: unknown, meta: unknown): Buffer {
  const parts = [joinRef, ref, topic, event, meta === undefined ? '' : JSON.stringify(meta)].map((s) => Buffer.from(s))
  const header = Buffer.from([3, ...parts.map((part) => part.length), 1])
  return Buffer.concat([header, ...parts, Buffer.from(JSON.stringify(payload))])
}

/** The same frame with a raw bytes payload (encoding 0). */
function kind3Binary(
  joinRef: string,
  ref: string,
  topic: string,
  event: string,
  bytes: number[],
  meta: unknown,
): Buffer {
  const parts = [joinRef, ref, topic, event, JSON.stringify(meta)].map((s) => Buffer.from(s))
  return Buffer.concat([Buffer.from([3, ...parts.map((part) => part.length), 0]), ...parts, Buffer.from(bytes)])
}

/** A replay store that records what it was asked to persist. */
function recordingReplay(fail = false): MessageReplay & { stored: unknown[][] } {
  const stored: unknown[][] = []
  return {
    stored,
    since: async () => [],
    async persist(topic, event, payload) {
      if (fail) throw Object.assign(new Error('relation does not exist'), { code: '42P01' })
      stored.push([topic, event, payload])
      return `id-${stored.length}`
    },
  }
}

async function joinRoom(raw: RawClient, config: Record<string, unknown>): Promise<void> {
  const ref = 'j1'
  const reply = await raw.reply(
    raw.push('realtime:room', 'phx_join', { config, access_token: userToken() }, { ref, join_ref: ref }),
  )
  expect(reply.status).toBe('ok')
}

describe('persist: a client broadcast stored for replay, as the real server stores it', () => {
  let h: Harness
  afterEach(async () => {
    await h.stop()
  })

  it('stores a private kind 3 broadcast whose meta asks persist, acks it with the id, and still relays it', async () => {
    const replay = recordingReplay()
    h = await startHarness({ replay, authorizePrivate: () => true })
    const other = await h.raw()
    await joinRoom(other, { private: true })
    const raw = await h.raw()
    await joinRoom(raw, { private: true, broadcast: { ack: true } })

    raw.sendRaw(kind3('j1', 'p1', 'realtime:room', 'moved', { x: 1 }, { persist: true }))
    expect(await raw.reply('p1')).toEqual({ status: 'ok', response: { id: 'id-1' } })
    raw.sendRaw(kind3('j1', 'p2', 'realtime:room', 'moved', { x: 2 }, { persist: { ttl: 60 } }))
    raw.sendRaw(kind3('j1', 'p3', 'realtime:room', 'moved', { x: 3 }, undefined))
    expect(await raw.reply('p3')).toEqual({ status: 'ok', response: {} })
    expect(replay.stored).toEqual([
      ['room', 'moved', { x: 1 }],
      ['room', 'moved', { x: 2 }],
    ])
    await waitFor(() => other.received.filter(Buffer.isBuffer).length === 3)

    raw.sendRaw(kind3Binary('j1', 'p4', 'realtime:room', 'blob', [1, 2, 255], { persist: true }))
    expect(await raw.reply('p4')).toEqual({ status: 'ok', response: { id: 'id-3' } })
    const [, event, bytes] = replay.stored[2]!
    expect(event).toBe('blob')
    expect(new Uint8Array(bytes as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 255]))
  })

  it('stores what real supabase-js sends with persist: 2.119+ asks in meta.persist and ?persist=true, 2.109 cannot ask', async () => {
    const replay = recordingReplay()
    h = await startHarness({ replay, authorizePrivate: () => true })
    const client = h.client({ accessToken: async () => userToken() })
    const asks = client.realtime.serializer.allowedMetadataKeys.includes('persist')
    const channel = client.channel('room', { config: { private: true, broadcast: { ack: true } } })
    await reached(subscribe(channel))
    const send = { type: 'broadcast', event: 'moved', payload: { x: 1 }, persist: true } as const
    await expect(channel.send(send)).resolves.toBe('ok')
    await channel.httpSend('moved', { x: 2 }, { persist: true } as never)
    expect(replay.stored).toEqual(
      asks
        ? [
            ['room', 'moved', { x: 1 }],
            ['room', 'moved', { x: 2 }],
          ]
        : [],
    )
  })

  it('does not store on a public channel, nor when the store fails: the ack is ok, without an id', async () => {
    h = await startHarness({ replay: recordingReplay(true), authorizePrivate: () => true })
    const raw = await h.raw()
    await joinRoom(raw, { private: true, broadcast: { ack: true } })
    raw.sendRaw(kind3('j1', 'p1', 'realtime:room', 'moved', { x: 1 }, { persist: true }))
    expect(await raw.reply('p1')).toEqual({ status: 'ok', response: {} })

    const replay = recordingReplay()
    await h.stop()
    h = await startHarness({ replay })
    const open = await h.raw()
    await joinRoom(open, { broadcast: { ack: true } })
    const ref = open.push('realtime:room', 'broadcast', { type: 'broadcast', event: 'e', payload: {}, persist: true })
    expect(await open.reply(ref)).toEqual({ status: 'ok', response: {} })
    expect(replay.stored).toEqual([])
  })

  it('stores an httpSend with ?persist=true on a private topic, and answers 422 for persist on a public one', async () => {
    const replay = recordingReplay()
    h = await startHarness({ replay, authorizePrivate: () => true })
    const send = (query: string) =>
      fetch(`${h.server.url}/realtime/v1/api/broadcast/room/events/moved?${query}`, {
        method: 'POST',
        headers: { apikey: KEYS.anonKey, authorization: `Bearer ${userToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ x: 1 }),
      })
    expect((await send('private=true&persist=true')).status).toBe(202)
    expect((await send('private=true&persist%5Bttl%5D=60')).status).toBe(202)
    expect(replay.stored).toEqual([
      ['room', 'moved', { x: 1 }],
      ['room', 'moved', { x: 1 }],
    ])
    const refused = await send('persist=true')
    expect(refused.status).toBe(422)
    expect(await refused.json()).toEqual({ errors: { persist: ['can only be used on private channels'] } })
  })
})
