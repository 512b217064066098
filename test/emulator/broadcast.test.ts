import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeTextFrame, encodeUserBroadcast } from '../../src/testing/emulator/protocol'
import { waitFor } from '../support/waitFor'
import { KEYS, reached, startHarness, subscribe, userToken, type Harness } from './emulatorSupport'

type Received = { type: string; event: string; payload: unknown }

describe('broadcast: the emulator relays messages between real supabase-js clients', () => {
  let h: Harness

  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.stop()
  })

  it('relays a vsn 2.0.0 binary kind 3 push as a binary kind 4 frame, and acks it when asked', async () => {
    const sender = h.client()
    const receiver = h.client()
    const got: Received[] = []
    const mine: Received[] = []
    const out = sender
      .channel('room', { config: { broadcast: { ack: true, self: false } } })
      .on('broadcast', { event: '*' }, (m) => mine.push(m as Received))
    const into = receiver.channel('room').on('broadcast', { event: 'moved' }, (m) => got.push(m as Received))
    await reached(subscribe(out))
    await reached(subscribe(into))
    const raw = await h.raw()
    raw.push('realtime:room', 'phx_join', {})
    await raw.next((m) => m.event === 'phx_reply')

    await expect(out.send({ type: 'broadcast', event: 'moved', payload: { x: 1 } })).resolves.toBe('ok')
    await waitFor(() => got.length === 1)
    expect(got[0]).toMatchObject({ type: 'broadcast', event: 'moved', payload: { x: 1 } })
    const binary = await waitFor(() => raw.received.find((m) => Buffer.isBuffer(m)) as Buffer | undefined)
    expect(binary[0]).toBe(4)
    expect(Buffer.from(binary).equals(Buffer.from(encodeUserBroadcast('realtime:room', 'moved', { x: 1 })))).toBe(true)
    // The ack awaited above answers the push after the server relayed it: an echo would be in by now.
    expect(mine).toEqual([]) // self: false
  })

  it('echoes a broadcast to its sender with self: true', async () => {
    const client = h.client()
    const mine: Received[] = []
    const channel = client
      .channel('room', { config: { broadcast: { self: true } } })
      .on('broadcast', { event: 'ping' }, (m) => mine.push(m as Received))
    await reached(subscribe(channel))
    await channel.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } })
    await waitFor(() => mine.length === 1)
    expect(mine[0]!.payload).toEqual({ n: 1 })
  })

  it('relays raw binary payloads to vsn 2.0.0 clients', async () => {
    const sender = h.client()
    const receiver = h.client()
    const got: Received[] = []
    const out = sender.channel('bytes')
    const into = receiver.channel('bytes').on('broadcast', { event: 'blob' }, (m) => got.push(m as Received))
    await reached(subscribe(out))
    await reached(subscribe(into))
    await out.send({ type: 'broadcast', event: 'blob', payload: new Uint8Array([1, 2, 3]).buffer })
    await waitFor(() => got.length === 1)
    expect(new Uint8Array(got[0]!.payload as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('speaks JSON to vsn 1.0.0 clients, both ways', async () => {
    const sender = h.client({ vsn: '1.0.0' })
    const receiver = h.client({ vsn: '1.0.0' })
    const got: Received[] = []
    const out = sender.channel('room', { config: { broadcast: { ack: true } } })
    const into = receiver.channel('room').on('broadcast', { event: 'moved' }, (m) => got.push(m as Received))
    await reached(subscribe(out))
    await reached(subscribe(into))
    const raw = await h.raw({ vsn: '1.0.0' })
    const ref = raw.push('realtime:room', 'phx_join', {})
    await raw.reply(ref)
    await expect(out.send({ type: 'broadcast', event: 'moved', payload: { x: 2 } })).resolves.toBe('ok')
    await waitFor(() => got.length === 1)
    expect(got[0]!.payload).toEqual({ x: 2 })
    const frame = await raw.next((m) => m.event === 'broadcast')
    expect(frame).toEqual({
      join_ref: null,
      ref: null,
      topic: 'realtime:room',
      event: 'broadcast',
      payload: { type: 'broadcast', event: 'moved', payload: { x: 2 } },
    })
  })

  it('relays a vsn 2.0.0 kind 3 push to a vsn 1.0.0 client as JSON', async () => {
    const sender = h.client()
    const raw = await h.raw({ vsn: '1.0.0' })
    await raw.reply(raw.push('realtime:room', 'phx_join', {}))
    const out = sender.channel('room')
    await reached(subscribe(out))
    await out.send({ type: 'broadcast', event: 'moved', payload: { x: 3 } })
    const frame = await raw.next((m) => m.event === 'broadcast')
    expect(frame.payload).toEqual({ type: 'broadcast', event: 'moved', payload: { x: 3 } })
  })

  it('keeps public and private channels of one name apart', async () => {
    const member = h.client()
    await member.realtime.setAuth(userToken())
    const publicGot: Received[] = []
    const privateGot: Received[] = []
    const pub = member.channel('room').on('broadcast', { event: '*' }, (m) => publicGot.push(m as Received))
    await reached(subscribe(pub))
    const other = h.client()
    await other.realtime.setAuth(userToken({ sub: 'user-2' }))
    const priv = other
      .channel('room', { config: { private: true } })
      .on('broadcast', { event: '*' }, (m) => privateGot.push(m as Received))
    await reached(subscribe(priv))
    const raw = await h.raw()
    await raw.reply(raw.push('realtime:room', 'phx_join', {}))
    raw.push('realtime:room', 'broadcast', { type: 'broadcast', event: 'public-only', payload: {} })
    await waitFor(() => publicGot.length === 1)
    await h.answered(other) // the relay went to every subscriber at once, before this probe
    expect(privateGot).toEqual([])
  })

  it('serves the REST fallback supabase-js uses when the channel is not joined, and httpSend', async () => {
    const receiver = h.client()
    const got: Received[] = []
    const into = receiver.channel('room').on('broadcast', { event: '*' }, (m) => got.push(m as Received))
    await reached(subscribe(into))

    const sender = h.client()
    const notJoined = sender.channel('room')
    await expect(notJoined.send({ type: 'broadcast', event: 'via-rest', payload: { n: 1 } })).resolves.toBe('ok')
    await expect(notJoined.httpSend('via-http-send', { n: 2 })).resolves.toEqual({ success: true })
    await waitFor(() => got.length === 2)
    expect(got.map((m) => [m.event, m.payload])).toEqual([
      ['via-rest', { n: 1 }],
      ['via-http-send', { n: 2 }],
    ])
  })

  it('answers bad REST broadcasts as the real server: 401 without a valid token, 400 malformed JSON, 422 with Ecto errors, 413 oversized', async () => {
    const post = async (body: string, headers: Record<string, string>, path = '/realtime/v1/api/broadcast') => {
      const response = await fetch(`${h.server.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body,
      })
      const text = await response.text()
      return [response.status, text === '' ? null : (JSON.parse(text) as unknown)]
    }
    const anon = { apikey: KEYS.anonKey }
    expect(await post('{"messages":[]}', {})).toEqual([401, { message: 'Unauthorized' }])
    expect(await post('{"messages":[]}', { apikey: 'not-a-jwt' })).toEqual([401, { message: 'Unauthorized' }])
    expect(await post('{"messages":[]}', { apikey: KEYS.anonKey, authorization: 'Bearer not-a-jwt' })).toEqual([
      401,
      { message: 'Unauthorized' },
    ])
    expect(await post('{not json', anon)).toEqual([400, 'Bad Request'])
    expect(await post('{}', anon)).toEqual([422, { errors: { messages: ["can't be blank"] } }])
    expect(await post('{"messages":"x"}', anon)).toEqual([422, { errors: { messages: ['is invalid'] } }])
    expect(await post('{"messages":[{"topic":"t","event":"e","payload":{}},{"topic":1,"payload":[]}]}', anon)).toEqual([
      422,
      { errors: { messages: [{}, { topic: ['is invalid'], event: ["can't be blank"], payload: ['is invalid'] }] } },
    ])
    const big = { messages: [{ topic: 't', event: 'e', payload: { x: 'x'.repeat(3_000_001) } }] }
    expect(await post(JSON.stringify(big), anon)).toEqual([
      422,
      { errors: { messages: [{ payload: ['Payload size exceeds tenant limit'] }] } },
    ])
    expect(await post('{"messages":[]}', anon)).toEqual([202, null])
    expect(
      (
        await post(
          JSON.stringify({ messages: [{ topic: 'x', event: 'e', payload: { x: 'x'.repeat(8_100_000) } }] }),
          anon,
        )
      )[0],
    ).toBe(413)
    expect(await post('{}', anon, '/realtime/v1/api/broadcast/room/events/e?private=true')).toEqual([
      403,
      { message: 'Unauthorized' },
    ])
    expect(
      await post('{}', { ...anon, 'Content-Type': 'text/plain' }, '/realtime/v1/api/broadcast/room/events/e'),
    ).toEqual([415, { error: 'Unsupported Media Type. Use application/json or application/octet-stream' }])
    // a private batch message the token may not write is skipped, not refused
    expect(await post('{"messages":[{"topic":"room","event":"e","payload":{},"private":true}]}', anon)).toEqual([
      202,
      null,
    ])
    expect((await fetch(`${h.server.url}/nowhere`)).status).toBe(404)
  })

  it('relays a broadcast as sent: without a string event, and with every key of its payload', async () => {
    const [sender, receiver] = [await h.raw(), await h.raw()]
    await sender.reply(sender.push('realtime:room', 'phx_join', { config: { broadcast: { ack: true } } }))
    await receiver.reply(receiver.push('realtime:room', 'phx_join', {}))
    const odd = { type: 'broadcast', event: 7, payload: { a: 1 }, extra: 'kept' }
    expect(await sender.reply(sender.push('realtime:room', 'broadcast', odd))).toEqual({ status: 'ok', response: {} })
    const relayed = await receiver.next((m) => m.event === 'broadcast')
    expect(relayed).toMatchObject({ topic: 'realtime:room', payload: odd })
    expect(decodeTextFrame('[null,"1","phoenix","heartbeat",{}]', '2.0.0').ok).toBe(true)
  })
})
