import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { captureUncaughtErrors, createMswRealtimeServer, type MswRealtimeServer } from './mswRealtimeServer'
import { sleep, waitFor } from './waitFor'

const KEY = 'anon-key'

type Status = { status: string; error?: Error }

describe('mswRealtimeServer plays Supabase Realtime for the real supabase-js client', () => {
  let rt: MswRealtimeServer
  let client: SupabaseClient

  const makeClient = (realtime: Record<string, unknown> = {}): SupabaseClient =>
    createClient(rt.url, KEY, { auth: { persistSession: false, autoRefreshToken: false }, realtime })

  /** Subscribes and records every status the channel reports. */
  const subscribe = (channel: RealtimeChannel): Status[] => {
    const statuses: Status[] = []
    channel.subscribe((status, error) => statuses.push({ status, error }))
    return statuses
  }
  const reached = (statuses: Status[], status: string) => () => statuses.find((s) => s.status === status)

  beforeEach(() => {
    rt = createMswRealtimeServer()
    rt.listen() // before createClient: supabase-js captures globalThis.WebSocket at construction
    client = makeClient()
  })

  afterEach(async () => {
    await client.removeAllChannels()
    await client.realtime.disconnect()
    rt.close()
  })

  it('accepts a postgres_changes join and delivers an INSERT to the binding', async () => {
    const inserts: unknown[] = []
    const channel = client
      .channel('todos')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos' }, (change) => inserts.push(change))
    const statuses = subscribe(channel)
    await waitFor(reached(statuses, 'SUBSCRIBED'))

    const url = rt.connectionUrls[0]!
    expect(`${url.origin}${url.pathname}`).toBe('ws://realtime.test/realtime/v1/websocket')
    expect(url.searchParams.get('apikey')).toBe(KEY)
    expect(url.searchParams.get('vsn')).toBe('2.0.0')
    expect(rt.joins).toHaveLength(1)
    expect(rt.joins[0]!.topic).toBe('realtime:todos')
    expect(rt.joins[0]!.payload.config?.postgres_changes).toEqual([
      { event: 'INSERT', schema: 'public', table: 'todos' },
    ])

    expect(
      rt.sendPostgresChange('todos', {
        schema: 'public',
        table: 'todos',
        type: 'INSERT',
        record: { id: 7, title: 'milk' },
      }),
    ).toBe(1)
    expect(
      rt.sendPostgresChange('todos', { schema: 'public', table: 'other', type: 'INSERT', record: { id: 8 } }),
    ).toBe(0)
    await waitFor(() => inserts.length === 1)
    expect(inserts[0]).toMatchObject({
      schema: 'public',
      table: 'todos',
      eventType: 'INSERT',
      new: { id: 7, title: 'milk' },
    })
    expect(statuses.map((s) => s.status)).toEqual(['SUBSCRIBED'])
  })

  it('delivers broadcasts as JSON and as binary kind 4 frames, and acks binary kind 3 sends', async () => {
    const received: unknown[] = []
    const channel = client
      .channel('room', { config: { broadcast: { ack: true } } })
      .on('broadcast', { event: 'ping' }, (message) => received.push(message.payload))
    const statuses = subscribe(channel)
    await waitFor(reached(statuses, 'SUBSCRIBED'))

    expect(rt.sendBroadcast('room', 'ping', { n: 1 })).toBe(1)
    rt.sendBroadcast('realtime:room', 'ping', { n: 2 }, { binary: true })
    rt.sendBroadcast('room', 'other', { n: 3 })
    await waitFor(() => received.length === 2)
    expect(received).toEqual([{ n: 1 }, { n: 2 }])

    await expect(channel.send({ type: 'broadcast', event: 'hello', payload: { a: 1 } })).resolves.toBe('ok')
    expect(rt.binaryBroadcasts).toBe(1)
    expect(rt.frames.find((f) => f.binary)).toMatchObject({
      topic: 'realtime:room',
      event: 'broadcast',
      payload: { event: 'hello', payload: { a: 1 } },
    })
  })

  it('turns a rejected token into CHANNEL_ERROR carrying the server reason', async () => {
    rt.acceptToken = () => false
    const statuses = subscribe(client.channel('secret'))
    const failed = await waitFor(reached(statuses, 'CHANNEL_ERROR'))
    expect(failed.error?.message).toBe('InvalidJWTToken: Token has expired 10 seconds ago')
  })

  it('uses a custom joinReply for error replies', async () => {
    rt.joinReply = () => ({ status: 'error', response: { reason: 'Unauthorized: nope' } })
    const statuses = subscribe(client.channel('private-room'))
    const failed = await waitFor(reached(statuses, 'CHANNEL_ERROR'))
    expect(failed.error?.message).toBe('Unauthorized: nope')
  })

  it('dropAll closes the socket abruptly: CHANNEL_ERROR "socket closed: 1006"', async () => {
    const statuses = subscribe(client.channel('todos'))
    await waitFor(reached(statuses, 'SUBSCRIBED'))
    expect(rt.openConnections).toBe(1)

    expect(rt.dropAll()).toBe(1)
    const failed = await waitFor(reached(statuses, 'CHANNEL_ERROR'))
    expect(failed.error?.message).toBe('socket closed: 1006')
    expect(rt.openConnections).toBe(0)
  })

  it('refuseConnections fails the next attempt before open', async () => {
    rt.refuseConnections(1)
    const statuses = subscribe(client.channel('todos'))
    const failed = await waitFor(reached(statuses, 'CHANNEL_ERROR'))
    expect(failed.error?.message).toBe('channel error: transport failure')
    expect(rt.connections).toBe(1)
    expect(rt.joins).toHaveLength(0)
  })

  it('phx_error and phx_close reach the channel; system reaches on("system")', async () => {
    const system: unknown[] = []
    const a = client.channel('a').on('system', {}, (payload) => system.push(payload))
    const aStatuses = subscribe(a)
    const bStatuses = subscribe(client.channel('b'))
    await waitFor(() => reached(aStatuses, 'SUBSCRIBED')() && reached(bStatuses, 'SUBSCRIBED')())

    expect(rt.sendSystem('a', { extension: 'system', status: 'ok', message: 'hi', channel: 'a' })).toBe(1)
    await waitFor(() => system.length === 1)
    expect(system[0]).toMatchObject({ message: 'hi' })

    rt.sendPhxClose('a')
    await waitFor(reached(aStatuses, 'CLOSED'))
    rt.sendPhxError('b')
    const failed = await waitFor(reached(bStatuses, 'CHANNEL_ERROR'))
    expect(failed.error?.message).toBe('channel error: transport failure')
  })

  it('answers heartbeats on topic phoenix, and stops answering when blackholed', async () => {
    const beats: string[] = []
    client.realtime.onHeartbeat((status) => beats.push(status))
    const statuses = subscribe(client.channel('todos'))
    await waitFor(reached(statuses, 'SUBSCRIBED'))

    await client.realtime.sendHeartbeat()
    await waitFor(() => beats.includes('ok'))
    expect(rt.heartbeats).toBe(1)
    expect(rt.frames.filter((f) => f.topic === 'phoenix')).toHaveLength(1)

    rt.blackhole(true)
    await client.realtime.sendHeartbeat()
    await waitFor(() => rt.heartbeats === 2)
    await sleep(50)
    expect(beats.filter((b) => b === 'ok')).toHaveLength(1)
  })

  it('speaks vsn 1.0.0 (JSON objects)', async () => {
    client = makeClient({ vsn: '1.0.0' })
    const received: unknown[] = []
    const channel = client.channel('room').on('broadcast', { event: '*' }, (message) => received.push(message.payload))
    const statuses = subscribe(channel)
    await waitFor(reached(statuses, 'SUBSCRIBED'))
    expect(rt.connectionUrls[0]!.searchParams.get('vsn')).toBe('1.0.0')

    rt.sendBroadcast('room', 'ping', { v: 1 }, { binary: true }) // binary is 2.0.0-only: sent as JSON
    await waitFor(() => received.length === 1)
    expect(received).toEqual([{ v: 1 }])

    await channel.send({ type: 'broadcast', event: 'hello', payload: {} })
    await waitFor(() => rt.frames.some((f) => f.event === 'broadcast'))
    expect(rt.binaryBroadcasts).toBe(0)
  })

  it('counts connections, joins, leaves and access_token pushes', async () => {
    const statuses = subscribe(client.channel('one'))
    await waitFor(reached(statuses, 'SUBSCRIBED'))
    await client.realtime.setAuth('new-token')
    await waitFor(() => rt.frames.some((f) => f.event === 'access_token'))
    expect(rt.frames.find((f) => f.event === 'access_token')?.payload).toEqual({ access_token: 'new-token' })

    await client.removeAllChannels()
    await waitFor(() => rt.frames.some((f) => f.event === 'phx_leave'))
    await waitFor(() => rt.openConnections === 0)

    const again = subscribe(client.channel('two'))
    await waitFor(reached(again, 'SUBSCRIBED'))
    expect(rt.connections).toBe(2)
    // realtime-js sends its first join before the async setAuth has run, so without a token.
    expect(rt.joins.map((j) => [j.topic, j.connection, j.payload.access_token])).toEqual([
      ['realtime:one', 1, undefined],
      ['realtime:two', 2, 'new-token'],
    ])
  })

  it('sendRaw delivers malformed frames, which throw inside realtime-js without closing the socket', async () => {
    const statuses = subscribe(client.channel('todos'))
    await waitFor(reached(statuses, 'SUBSCRIBED'))

    const uncaught = captureUncaughtErrors()
    try {
      expect(rt.sendRaw('not json')).toBe(1)
      rt.sendRaw(new Uint8Array([9, 0, 0]).buffer) // binary kind 9: the client only decodes kind 4
      await waitFor(() => uncaught.errors.length === 2)
    } finally {
      uncaught.restore()
    }
    expect(String(uncaught.errors[0])).toContain('SyntaxError')
    expect(rt.openConnections).toBe(1)
    expect(statuses.map((s) => s.status)).toEqual(['SUBSCRIBED'])
  })

  it('relays a client broadcast to other clients joined on the topic (binary kind 4 with binaryRelay)', async () => {
    const other = makeClient()
    try {
      rt.binaryRelay = true
      const received: unknown[] = []
      const listening = subscribe(
        other.channel('room').on('broadcast', { event: 'hi' }, (m) => received.push(m.payload)),
      )
      const sender = client.channel('room')
      const sending = subscribe(sender)
      await waitFor(() => reached(listening, 'SUBSCRIBED')() && reached(sending, 'SUBSCRIBED')())

      await sender.send({ type: 'broadcast', event: 'hi', payload: { from: 'client' } })
      await waitFor(() => received.length === 1)
      expect(received).toEqual([{ from: 'client' }])
      expect(rt.connections).toBe(2)
    } finally {
      await other.removeAllChannels()
    }
  })

  it('closes the channel when a refreshed access_token is rejected', async () => {
    const system: unknown[] = []
    const statuses = subscribe(client.channel('todos').on('system', {}, (payload) => system.push(payload)))
    await waitFor(reached(statuses, 'SUBSCRIBED'))

    rt.acceptToken = (token) => token !== 'expired-token'
    await client.realtime.setAuth('expired-token')
    await waitFor(reached(statuses, 'CLOSED'))
    expect(system).toEqual([
      expect.objectContaining({ extension: 'system', status: 'error', message: rt.rejectedTokenReason }),
    ])
    expect(rt.joinedTopics()).toEqual([])
  })
})
