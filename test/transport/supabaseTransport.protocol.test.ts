import type { SupabaseClient, SupabaseClientOptions } from '@supabase/supabase-js'
import { http, HttpResponse } from 'msw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock, type Clock } from '../../src/env/clock'
import { isTokenExpiry, RealtimeError } from '../../src/errors/realtimeError'
import type { PostgresBinding } from '../../src/events/bindings'
import type {
  ChannelConfig,
  ChannelSignal,
  RealtimeTransport,
  SocketSignal,
  TransportChannel,
} from '../../src/events/port'
import { createSupabaseTransport } from '../../src/transport/supabaseTransport'
import { captureUncaughtErrors, createMswRealtimeServer, type MswRealtimeServer } from '../support/mswRealtimeServer'
import {
  advance,
  ANON_KEY,
  clientTopics,
  closeAll,
  fakeJwt,
  fakeSession,
  FAKE_USER,
  makeClient,
  until,
  useProtocolFakeTimers,
  whileAdvancing,
} from './protocolSupport'

const config = (overrides: Partial<ChannelConfig> = {}): ChannelConfig => ({
  postgres: [],
  broadcast: [],
  private: false,
  broadcastOptions: { self: false, ack: false },
  ...overrides,
})

const todos = (event: PostgresBinding['event'] = '*'): PostgresBinding => ({ event, schema: 'public', table: 'todos' })

/** A clock whose timers are the (faked) globals and whose `now` is fixed, to check `receivedAt`. */
const fixedNowClock = (now: number): Clock => ({ ...systemClock, now: () => now })

// Fake time keeps every test short; the real-time limit only guards against a loaded machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 })

let rt: MswRealtimeServer
let clients: SupabaseClient[]

beforeEach(() => {
  useProtocolFakeTimers()
  rt = createMswRealtimeServer()
  rt.listen() // before createClient: supabase-js captures globalThis.WebSocket at construction
  clients = []
})

afterEach(async () => {
  await closeAll(rt, clients)
})

function newClient(options: SupabaseClientOptions<'public'> = {}): SupabaseClient {
  const client = makeClient(rt, options)
  clients.push(client)
  return client
}

interface Adapter {
  client: SupabaseClient
  transport: RealtimeTransport
  socketSignals: SocketSignal[]
}

/** A client with the adapter installed and its socket watched (not yet connected). */
function adapter(clock: Clock = systemClock, options: SupabaseClientOptions<'public'> = {}): Adapter {
  const client = newClient(options)
  const transport = createSupabaseTransport(client, clock)
  const socketSignals: SocketSignal[] = []
  transport.watchSocket((signal) => socketSignals.push(signal))
  return { client, transport, socketSignals }
}

async function connected(clock?: Clock, options?: SupabaseClientOptions<'public'>): Promise<Adapter> {
  const a = adapter(clock, options)
  await a.transport.connect()
  await until(() => a.socketSignals.some((s) => s.type === 'open'), { message: 'socket open' })
  return a
}

interface Joined {
  channel: TransportChannel
  signals: ChannelSignal[]
}

function join(transport: RealtimeTransport, topic: string, channelConfig: ChannelConfig): Joined {
  const signals: ChannelSignal[] = []
  const channel = transport.createChannel(topic, channelConfig)
  channel.join((signal) => signals.push(signal), 10_000)
  return { channel, signals }
}

/** An unsigned JWT whose exp is `ms` from now (fake time), the way auth-js and the server read it. */
function jwtExpiringIn(ms: number): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'user-1', role: 'authenticated', exp: Math.floor((Date.now() + ms) / 1000) })}.c2ln`
}

const jwtExp = (token: string): number =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000

const statusesOf = (signals: ChannelSignal[]) => signals.flatMap((s) => (s.type === 'status' ? [s.status] : []))
const eventsOf = (signals: ChannelSignal[]) => signals.flatMap((s) => (s.type === 'event' ? [s.event] : []))
const subscribed = (signals: ChannelSignal[]) => () => statusesOf(signals).includes('SUBSCRIBED')

async function joined(transport: RealtimeTransport, topic: string, channelConfig: ChannelConfig): Promise<Joined> {
  await transport.authorize({ forceRefresh: false })
  const result = join(transport, topic, channelConfig)
  await until(subscribed(result.signals), { message: `${topic} subscribed` })
  return result
}

function failureOf(signals: ChannelSignal[]): RealtimeError | null {
  const failed = signals.find((s) => s.type === 'status' && s.status !== 'SUBSCRIBED')
  return failed?.type === 'status' ? failed.error : null
}

describe('createSupabaseTransport on the real supabase-js client', () => {
  it('opens the socket on connect() and reports it to watchSocket', async () => {
    const { transport, socketSignals, client } = adapter()
    expect(transport.isConnected()).toBe(false)
    expect(rt.connections).toBe(0)

    await transport.connect()
    await until(() => socketSignals.length > 0)
    expect(socketSignals).toEqual([{ type: 'open' }])
    expect(transport.isConnected()).toBe(true)
    expect(rt.connections).toBe(1)
    expect(rt.connectionUrls[0]!.searchParams.get('apikey')).toBe(ANON_KEY)
    expect(transport.clientKey).toBe(client)

    await transport.connect() // already open: no second socket
    await advance(100)
    expect(rt.connections).toBe(1)
  })

  it('joins with the postgres_changes config and an access_token, because authorize() ran first', async () => {
    const { transport } = await connected()
    // The anon key is no JWT here: no known expiry.
    await expect(transport.authorize({ forceRefresh: false })).resolves.toEqual({
      signedIn: false,
      expiresAt: null,
      issuedAt: null,
    })
    const { signals } = join(transport, 'todos', config({ postgres: [todos('INSERT')], broadcast: ['ping'] }))
    await until(subscribed(signals))

    expect(rt.joins).toHaveLength(1)
    const [first] = rt.joins
    expect(first!.topic).toBe('realtime:todos')
    expect(first!.payload.config).toMatchObject({
      postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'todos' }],
      broadcast: { self: false, ack: false },
      private: false,
    })
    // No session: the token realtime gets is the anon key, and it is on the very first join.
    expect(first!.payload.access_token).toBe(ANON_KEY)
    expect(signals).toEqual([{ type: 'status', status: 'SUBSCRIBED', error: null }])
  })

  it('authorize() hands realtime the token the source gives now, so the join carries it (not the one cached at connect)', async () => {
    let token = 'token-at-connect'
    const { transport, client } = await connected(systemClock, { accessToken: async () => token })
    expect((client.realtime as unknown as { accessTokenValue: string }).accessTokenValue).toBe('token-at-connect')
    token = 'token-now'
    await expect(transport.authorize({ forceRefresh: true })).resolves.toMatchObject({ signedIn: true })
    const { signals } = join(transport, 'todos', config())
    await until(subscribed(signals))
    expect(rt.joins.map((j) => j.payload.access_token)).toEqual(['token-now'])
    // Third-party auth has no auth namespace to watch: watchAuth is a no-op, not a throw.
    const stop = transport.watchAuth(() => undefined)
    expect(() => stop()).not.toThrow()
  })

  it('authorize({ forceRefresh }) refreshes a signed-in session first; watchAuth reports the session changes', async () => {
    const first = fakeJwt('user-1', 1)
    const second = fakeJwt('user-1', 2)
    let refreshes = 0
    rt.server.use(
      http.get(`${rt.url}/auth/v1/user`, () => HttpResponse.json(FAKE_USER)),
      http.post(`${rt.url}/auth/v1/token`, () => {
        refreshes++
        return HttpResponse.json(fakeSession(second, 'refresh-2'))
      }),
      http.post(`${rt.url}/auth/v1/logout`, () => new HttpResponse(null, { status: 204 })),
    )
    const { transport, client } = await connected()
    const authEvents: string[] = []
    const stopWatching = transport.watchAuth((event) => authEvents.push(event))
    await client.auth.setSession({ access_token: first, refresh_token: 'refresh-1' })

    await expect(transport.authorize({ forceRefresh: false })).resolves.toMatchObject({
      signedIn: true,
      expiresAt: jwtExp(first),
    })
    expect(refreshes).toBe(0)
    const a = join(transport, 'a', config({ private: true }))
    await until(subscribed(a.signals))

    await expect(transport.authorize({ forceRefresh: true })).resolves.toMatchObject({ signedIn: true })
    expect(refreshes).toBe(1)
    const b = join(transport, 'b', config({ private: true }))
    await until(subscribed(b.signals))
    expect(rt.joins.map((j) => [j.topic, j.payload.access_token])).toEqual([
      ['realtime:a', first],
      ['realtime:b', second],
    ])

    await client.auth.signOut()
    await expect(transport.authorize({ forceRefresh: false })).resolves.toMatchObject({ signedIn: false })
    // INITIAL_SESSION (on subscribing) is reported as OTHER.
    expect(authEvents).toEqual(['OTHER', 'SIGNED_IN', 'TOKEN_REFRESHED', 'SIGNED_OUT'])
    stopWatching()
    await client.auth.setSession({ access_token: first, refresh_token: 'refresh-1' })
    expect(authEvents).toHaveLength(4)
  })

  it('authorize() refuses an expired token and anything that is not a token; null means the API key', async () => {
    let answer: unknown = jwtExpiringIn(-30_000)
    const { transport } = await connected(systemClock, { accessToken: async () => answer as string })
    await expect(transport.authorize({ forceRefresh: false })).rejects.toMatchObject({
      type: 'AUTHENTICATION_FAILED',
      message: expect.stringMatching(/expired token/),
    })
    answer = jwtExpiringIn(3_000) // would expire in flight
    await expect(transport.authorize({ forceRefresh: true })).rejects.toMatchObject({ type: 'AUTHENTICATION_FAILED' })
    for (const garbage of [42, {}, '']) {
      answer = garbage
      await expect(transport.authorize({ forceRefresh: false })).rejects.toMatchObject({
        type: 'AUTHENTICATION_FAILED',
        message: expect.stringMatching(/not a token/),
      })
    }
    answer = 'opaque-token' // not a JWT: no known expiry, accepted
    await expect(transport.authorize({ forceRefresh: false })).resolves.toEqual({
      signedIn: true,
      expiresAt: null,
      issuedAt: null,
    })
    answer = null
    await expect(transport.authorize({ forceRefresh: false })).resolves.toMatchObject({ signedIn: false })
    const { signals } = join(transport, 'todos', config())
    await until(subscribed(signals))
    expect(rt.joins.map((j) => j.payload.access_token)).toEqual([ANON_KEY])
  })

  it('authorize() refreshes a session token that expires within a minute before any join carries it', async () => {
    const stale = jwtExpiringIn(20_000)
    const fresh = fakeJwt('user-1', 2)
    let refreshes = 0
    rt.server.use(
      http.get(`${rt.url}/auth/v1/user`, () => HttpResponse.json(FAKE_USER)),
      http.post(`${rt.url}/auth/v1/token`, () => {
        refreshes++
        return HttpResponse.json(fakeSession(fresh, 'refresh-2'))
      }),
    )
    const { transport, client } = await connected()
    await client.auth.setSession({ access_token: stale, refresh_token: 'refresh-1' })
    await expect(transport.authorize({ forceRefresh: false })).resolves.toMatchObject({
      signedIn: true,
      expiresAt: jwtExp(fresh),
    })
    expect(refreshes).toBeGreaterThanOrEqual(1)
    const { signals } = join(transport, 'todos', config({ private: true }))
    await until(subscribed(signals))
    expect(rt.joins.map((j) => j.payload.access_token)).toEqual([fresh])
  })

  it('authorize() fails, rather than joining as anonymous, when the session cannot be refreshed at its expiry', async () => {
    const stale = jwtExpiringIn(20_000)
    rt.server.use(
      http.get(`${rt.url}/auth/v1/user`, () => HttpResponse.json(FAKE_USER)),
      http.post(`${rt.url}/auth/v1/token`, () =>
        HttpResponse.json({ error: 'server_error', error_description: 'down' }, { status: 503 }),
      ),
    )
    const { transport, client } = await connected()
    await client.auth.setSession({ access_token: stale, refresh_token: 'refresh-1' })
    await advance(16_000, 100) // 4 s left: too little to join with, and the auth server is down
    // auth-js retries a 503 with its own backoff: time has to move (the saga bounds the wait at 10 s).
    const settled = await whileAdvancing(
      transport.authorize({ forceRefresh: false }).then(
        () => 'resolved',
        (error: unknown) => error,
      ),
      60_000,
    )
    expect(settled).toMatchObject({
      type: 'AUTHENTICATION_FAILED',
      message: 'the session could not be loaded or refreshed',
    })
    expect(rt.joins).toEqual([])
  })

  it('pushes a token authorize() hands over to the channels already joined (access_token), so they are not closed at expiry', async () => {
    let token = fakeJwt('user-1', 1)
    const { transport } = await connected(systemClock, { accessToken: async () => token })
    await joined(transport, 'todos', config())
    token = fakeJwt('user-1', 2)
    await transport.authorize({ forceRefresh: true })
    await until(() => rt.frames.some((f) => f.event === 'access_token'))
    expect(
      rt.frames
        .filter((f) => f.event === 'access_token')
        .map((f) => (f.payload as { access_token?: string }).access_token),
    ).toEqual([token])
  })

  it('reads the server\'s "Token has expired" system message, and reports the close after it as a token expiry', async () => {
    const { transport } = await connected()
    const { signals } = await joined(transport, 'todos', config())
    const other = await joined(transport, 'other', config())
    rt.sendSystem('todos', {
      extension: 'system',
      status: 'error',
      message: 'Token has expired 3 seconds ago',
      channel: 'todos',
    })
    rt.sendPhxClose('todos')
    rt.sendPhxClose('other')
    await until(() => statusesOf(signals).includes('CLOSED') && statusesOf(other.signals).includes('CLOSED'))
    const error = failureOf(signals)!
    expect(error).toMatchObject({
      type: 'AUTHENTICATION_FAILED',
      retryable: true,
      context: { topic: 'todos', tokenExpired: true },
    })
    expect(error.message).toBe(
      'todos: the access token expired and the server closed the channel (Token has expired 3 seconds ago)',
    )
    expect(isTokenExpiry(error)).toBe(true)
    // A bare close without the message stays what it was.
    expect(failureOf(other.signals)).toMatchObject({ type: 'CHANNEL_ERROR' })
    expect(isTokenExpiry(failureOf(other.signals))).toBe(false)
  })

  it("fails a channel on the server's refusals in system messages, which supabase-js itself reports as nothing", async () => {
    const { transport } = await connected()
    const refused = await joined(transport, 'todos', config({ postgres: [todos()] }))
    const limited = await joined(transport, 'chat', config())
    const fine = await joined(transport, 'other', config())
    rt.sendSystem('todos', {
      extension: 'postgres_changes',
      status: 'error',
      message:
        'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: *, schema: public, table: todos, filters: []]',
      channel: 'todos',
    })
    rt.sendSystem('chat', {
      extension: 'system',
      status: 'error',
      message: 'Too many messages per second',
      channel: 'chat',
    })
    rt.sendSystem('other', {
      extension: 'system',
      status: 'ok',
      message: 'Replication connection established',
      channel: 'other',
    })
    await until(
      () =>
        statusesOf(refused.signals).includes('CHANNEL_ERROR') && statusesOf(limited.signals).includes('CHANNEL_ERROR'),
    )
    expect(failureOf(refused.signals)).toMatchObject({
      type: 'SUBSCRIPTION_FAILED',
      retryable: false,
      serverError: 'subscription-refused',
    })
    expect(failureOf(refused.signals)!.message).toContain('public.todos')
    expect(failureOf(limited.signals)).toMatchObject({ type: 'CHANNEL_ERROR', serverError: 'message-rate-limit' })
    expect(statusesOf(fine.signals)).toEqual(['SUBSCRIBED'])
  })

  it('(contrast) the raw client sends its first join without an access_token', async () => {
    const raw = newClient()
    const statuses: string[] = []
    raw.channel('todos').subscribe((status) => statuses.push(status))
    await until(() => statuses.includes('SUBSCRIBED'))
    expect(rt.joins).toHaveLength(1)
    expect(rt.joins[0]!.payload.access_token).toBeUndefined()
  })

  it('does not let a join on a closed socket open it: CHANNEL_ERROR (NETWORK_ERROR) at once', async () => {
    const { transport, client } = adapter()
    const { signals } = join(transport, 'todos', config({ postgres: [todos()] }))
    expect(statusesOf(signals)).toEqual(['CHANNEL_ERROR'])
    expect(failureOf(signals)).toMatchObject({ type: 'NETWORK_ERROR', retryable: true })
    await advance(3_000, 100)
    expect(rt.connections).toBe(0)
    expect(rt.joins).toHaveLength(0)
    expect(client.realtime.isConnected()).toBe(false)
  })

  it('delivers a postgres change once, normalised, even when two bindings match it', async () => {
    const { transport } = await connected(fixedNowClock(1_234))
    const { signals } = await joined(transport, 'todos', config({ postgres: [todos('INSERT'), todos('*')] }))

    expect(
      rt.sendPostgresChange('todos', {
        schema: 'public',
        table: 'todos',
        type: 'INSERT',
        record: { id: 7, title: 'milk' },
        commit_timestamp: '2024-01-01T00:00:00Z',
      }),
    ).toBe(1)
    await until(() => eventsOf(signals).length > 0)
    await advance(50)
    expect(eventsOf(signals)).toEqual([
      {
        kind: 'postgres_changes',
        topic: 'todos',
        receivedAt: 1_234,
        schema: 'public',
        table: 'todos',
        eventType: 'INSERT',
        commitTimestamp: '2024-01-01T00:00:00Z',
        new: { id: 7, title: 'milk' },
        old: null,
      },
    ])

    // Two further changes are two events: the dedupe is per message, not per content.
    rt.sendPostgresChange('todos', { schema: 'public', table: 'todos', type: 'DELETE', old_record: { id: 7 } })
    rt.sendPostgresChange('todos', { schema: 'public', table: 'todos', type: 'DELETE', old_record: { id: 7 } })
    await until(() => eventsOf(signals).length === 3)
    await advance(50)
    expect(eventsOf(signals).map((e) => (e.kind === 'postgres_changes' ? [e.eventType, e.new, e.old] : null))).toEqual([
      ['INSERT', { id: 7, title: 'milk' }, null],
      ['DELETE', null, { id: 7 }],
      ['DELETE', null, { id: 7 }],
    ])
    expect(signals.filter((s) => s.type === 'malformed')).toEqual([])
  })

  it('(contrast) supabase-js itself calls back once per matching binding', async () => {
    const raw = newClient()
    const calls: unknown[] = []
    const statuses: string[] = []
    raw
      .channel('todos')
      .on('postgres_changes', todos('INSERT'), (payload) => calls.push(payload))
      .on('postgres_changes', todos('*'), (payload) => calls.push(payload))
      .subscribe((status) => statuses.push(status))
    await until(() => statuses.includes('SUBSCRIBED'))
    rt.sendPostgresChange('todos', { schema: 'public', table: 'todos', type: 'INSERT', record: { id: 1 } })
    await until(() => calls.length > 0)
    await advance(50)
    expect(calls).toHaveLength(2)
    expect(calls[0]).toBe(calls[1])
  })

  it('delivers broadcasts (JSON and binary frames) once, even with a wildcard binding', async () => {
    const { transport } = await connected(fixedNowClock(99))
    const { signals } = await joined(transport, 'room', config({ broadcast: ['*', 'ping'] }))

    rt.sendBroadcast('room', 'ping', { n: 1 })
    rt.sendBroadcast('room', 'ping', { n: 2 }, { binary: true })
    rt.sendBroadcast('room', 'other', { n: 3 })
    await until(() => eventsOf(signals).length === 3)
    await advance(50)
    expect(eventsOf(signals)).toEqual([
      { kind: 'broadcast', topic: 'room', receivedAt: 99, event: 'ping', payload: { n: 1 } },
      { kind: 'broadcast', topic: 'room', receivedAt: 99, event: 'ping', payload: { n: 2 } },
      { kind: 'broadcast', topic: 'room', receivedAt: 99, event: 'other', payload: { n: 3 } },
    ])
  })

  it('reports a payload it cannot read as malformed, and keeps delivering', async () => {
    const { transport } = await connected()
    const { signals } = await joined(transport, 'todos', config({ postgres: [todos()] }))
    rt.sendPostgresChange('todos', { schema: 'public', table: 'todos', type: 'TRUNCATE' as never, record: { id: 1 } })
    rt.sendPostgresChange('todos', {
      schema: 'public',
      table: 'todos',
      type: 'UPDATE',
      record: { id: 1 },
      old_record: { id: 1 },
    })
    await until(() => signals.length === 3)
    expect(signals.slice(1).map((s) => s.type)).toEqual(['malformed', 'event'])
    expect(signals[1]).toEqual({ type: 'malformed', reason: 'postgres_changes payload has an unknown eventType' })
  })

  it('turns a join error "Unauthorized: ..." into CHANNEL_ERROR with AUTHENTICATION_FAILED, and supabase-js does not rejoin', async () => {
    const { transport } = await connected()
    rt.joinReply = () => ({
      status: 'error',
      response: { reason: 'Unauthorized: You do not have permissions to read from this Channel topic: secret' },
    })
    await transport.authorize({ forceRefresh: false })
    const { signals } = join(transport, 'secret', config({ private: true }))
    await until(() => signals.length > 0)

    expect(statusesOf(signals)).toEqual(['CHANNEL_ERROR'])
    const error = failureOf(signals)
    expect(error).toBeInstanceOf(RealtimeError)
    expect(error).toMatchObject({
      type: 'AUTHENTICATION_FAILED',
      retryable: false,
      context: { topic: 'secret', status: 'CHANNEL_ERROR' },
    })
    expect(error!.message).toContain('Unauthorized: You do not have permissions')
    expect(rt.joins.map((j) => j.payload.config?.private)).toEqual([true])

    // Stock phoenix would rejoin this channel at 1, 3, 8, 18 s...: the adapter parked that timer.
    await advance(60_000, 250)
    expect(rt.joins).toHaveLength(1)
    expect(signals).toHaveLength(1)
  })

  it('reports a postgres_changes binding mismatch once, as SUBSCRIPTION_FAILED (not as the CLOSED supabase-js emits first)', async () => {
    const { transport, client } = await connected()
    rt.joinReply = () => ({
      status: 'ok',
      response: { postgres_changes: [{ id: 1, event: 'UPDATE', schema: 'public', table: 'other' }] },
    })
    await transport.authorize({ forceRefresh: false })
    const { signals } = join(transport, 'todos', config({ postgres: [todos('INSERT')] }))
    await until(() => signals.length > 0)
    await advance(100)
    expect(statusesOf(signals)).toEqual(['CHANNEL_ERROR'])
    expect(failureOf(signals)).toMatchObject({ type: 'SUBSCRIPTION_FAILED', retryable: true })
    expect(client.realtime.getChannels()).toEqual([]) // supabase-js left the channel itself
  })

  it('turns a dropped socket into CHANNEL_ERROR (NETWORK_ERROR) and a close signal', async () => {
    const { transport, socketSignals } = await connected()
    const { signals } = await joined(transport, 'todos', config({ postgres: [todos()] }))

    expect(rt.dropAll()).toBe(1)
    await until(() => statusesOf(signals).includes('CHANNEL_ERROR') && socketSignals.some((s) => s.type === 'close'))
    expect(failureOf(signals)).toMatchObject({ type: 'NETWORK_ERROR', retryable: true })
    expect(failureOf(signals)!.message).toContain('socket closed: 1006')
    expect(socketSignals.filter((s) => s.type === 'close')).toEqual([{ type: 'close', code: 1006, reason: '' }])
    expect(transport.isConnected()).toBe(false)
  })

  it('after a drop, supabase-js makes no reconnection attempt and no rejoin for 60 s', async () => {
    const { transport, socketSignals } = await connected()
    const { signals } = await joined(transport, 'todos', config({ postgres: [todos()] }))
    rt.dropAll()
    await until(() => socketSignals.some((s) => s.type === 'close'))

    await advance(60_000, 100)
    expect(rt.connections).toBe(1)
    expect(rt.joins).toHaveLength(1)
    expect(socketSignals.map((s) => s.type)).toEqual(['open', 'close'])
    expect(statusesOf(signals)).toEqual(['SUBSCRIBED', 'CHANNEL_ERROR'])
  })

  it('after a refused connection, supabase-js schedules no further attempt of its own', async () => {
    const { transport, socketSignals } = adapter()
    rt.refuseConnections(10)
    await transport.connect()
    await until(() => socketSignals.some((s) => s.type === 'close'))
    expect(socketSignals.map((s) => s.type)).toEqual(['error', 'close'])
    await advance(60_000, 100)
    expect(rt.connections).toBe(1)
  })

  it('connect() after a drop opens a new socket (the dead connection no longer blocks it) without replaying stale frames', async () => {
    const { transport, socketSignals, client } = await connected()
    const old = await joined(transport, 'todos', config({ postgres: [todos()] }))
    rt.dropAll()
    await until(() => socketSignals.some((s) => s.type === 'close'))
    await transport.removeChannel(old.channel) // its phx_leave is buffered for the dead socket

    // The trap: phoenix keeps the dead connection, so its own connect() does nothing.
    client.realtime.connect()
    await advance(1_000)
    expect(rt.connections).toBe(1)

    await transport.connect()
    await until(() => socketSignals.filter((s) => s.type === 'open').length === 2)
    expect(rt.connections).toBe(2)
    const again = await joined(transport, 'todos', config({ postgres: [todos()] }))
    expect(again.channel).not.toBe(old.channel)
    expect(rt.joins.map((j) => [j.topic, j.connection])).toEqual([
      ['realtime:todos', 1],
      ['realtime:todos', 2],
    ])
    expect(rt.frames.filter((f) => f.connection === 2).map((f) => f.event)).toEqual(['phx_join'])
    expect(clientTopics(client)).toEqual(['todos'])
  })

  it('removeChannel leaves no channel in the client, sends phx_leave, and reports no CLOSED of its own', async () => {
    const { transport, client } = await connected()
    const a = await joined(transport, 'a', config({ broadcast: ['x'] }))
    const b = await joined(transport, 'b', config({ broadcast: ['x'] }))
    expect(clientTopics(client)).toEqual(['a', 'b'])
    expect(transport.channelTopics()).toEqual(['a', 'b'])

    await transport.removeChannel(a.channel)
    expect(clientTopics(client)).toEqual(['b'])
    await transport.removeChannel(b.channel)
    expect(client.realtime.getChannels()).toEqual([])
    expect(transport.channelTopics()).toEqual([])
    await until(() => rt.frames.filter((f) => f.event === 'phx_leave').length === 2)

    rt.sendBroadcast('a', 'x', {})
    await advance(500)
    expect(a.signals).toEqual([{ type: 'status', status: 'SUBSCRIBED', error: null }])
    expect(b.signals).toEqual([{ type: 'status', status: 'SUBSCRIBED', error: null }])
  })

  it('reports a server phx_close as CLOSED (CHANNEL_ERROR) and a phx_error as CHANNEL_ERROR', async () => {
    const { transport } = await connected()
    const a = await joined(transport, 'a', config())
    const b = await joined(transport, 'b', config())
    rt.sendPhxClose('a')
    rt.sendPhxError('b')
    await until(() => a.signals.length === 2 && b.signals.length === 2)
    expect(statusesOf(a.signals)).toEqual(['SUBSCRIBED', 'CLOSED'])
    expect(failureOf(a.signals)).toMatchObject({ type: 'CHANNEL_ERROR' })
    expect(statusesOf(b.signals)).toEqual(['SUBSCRIBED', 'CHANNEL_ERROR'])
    // supabase-js says "channel error: transport failure"; the socket is fine, so it is the channel's error.
    expect(failureOf(b.signals)).toMatchObject({
      type: 'CHANNEL_ERROR',
      message: 'b: the server reported an error on this channel (the socket is still connected)',
    })
    await advance(30_000, 250)
    expect(rt.joins).toHaveLength(2) // phoenix's immediate/1 s rejoin after phx_error is parked
  })

  it('never adopts or removes a channel the app itself holds on the same topic: the join fails instead of throwing', async () => {
    const { transport, client } = await connected()
    const appStatuses: string[] = []
    const appChannel = client
      .channel('todos')
      .on('postgres_changes', todos(), () => undefined)
      .subscribe((status) => appStatuses.push(status))
    await until(() => appStatuses.includes('SUBSCRIBED'))

    const ours = transport.createChannel('todos', config({ postgres: [todos('INSERT')] }))
    const signals: ChannelSignal[] = []
    expect(() => ours.join((signal) => signals.push(signal), 10_000)).not.toThrow()
    expect(statusesOf(signals)).toEqual(['CHANNEL_ERROR'])
    expect(failureOf(signals)).toMatchObject({ type: 'SUBSCRIPTION_FAILED', retryable: true })
    await expect(ours.send('x', {})).resolves.toBe('error')

    await transport.removeChannel(ours)
    expect(client.realtime.getChannels()).toEqual([appChannel])
    await advance(1_000)
    expect(appStatuses).toEqual(['SUBSCRIBED'])
    expect(rt.joins).toHaveLength(1)
    expect(rt.frames.filter((f) => f.event === 'phx_leave')).toEqual([])
  })

  it('send() resolves ok on a joined channel with ack (and without)', async () => {
    const { transport } = await connected()
    const acked = await joined(
      transport,
      'acked',
      config({ broadcast: ['hello'], broadcastOptions: { self: true, ack: true } }),
    )
    const sending = acked.channel.send('hello', { a: 1 })
    await until(() => rt.frames.some((f) => f.event === 'broadcast'))
    await expect(sending).resolves.toBe('ok')
    expect(rt.frames.find((f) => f.event === 'broadcast')).toMatchObject({
      topic: 'realtime:acked',
      payload: { event: 'hello', payload: { a: 1 } },
    })
    await until(() => eventsOf(acked.signals).length === 1) // self: true echoes it back
    expect(eventsOf(acked.signals)[0]).toMatchObject({ kind: 'broadcast', event: 'hello', payload: { a: 1 } })

    const plain = await joined(transport, 'plain', config())
    await expect(plain.channel.send('hello', {})).resolves.toBe('ok')
  })

  it('send() resolves "timed out" when an acked broadcast gets no reply', async () => {
    const { transport } = await connected()
    const acked = await joined(transport, 'acked', config({ broadcastOptions: { self: false, ack: true } }))
    rt.blackhole(true)
    let result: string | undefined
    void acked.channel.send('hello', {}).then((r) => (result = r))
    await until(() => result !== undefined, { maxMs: 15_000, step: 100 })
    expect(result).toBe('timed out')
  })

  it('sendHeartbeat() yields a heartbeat ok signal, and nothing while blackholed (without a timeout of its own)', async () => {
    const { transport, socketSignals } = await connected()
    transport.sendHeartbeat()
    await until(() => socketSignals.some((s) => s.type === 'heartbeat'))
    expect(socketSignals).toEqual([{ type: 'open' }, { type: 'heartbeat', status: 'ok' }])
    expect(rt.heartbeats).toBe(1)

    rt.blackhole(true)
    transport.sendHeartbeat()
    await until(() => rt.heartbeats === 2)
    // A second probe while one is in flight must not make phoenix declare a timeout and close.
    transport.sendHeartbeat()
    await advance(2_000)
    expect(rt.heartbeats).toBe(2)
    expect(socketSignals.map((s) => s.type)).toEqual(['open', 'heartbeat'])
    expect(transport.isConnected()).toBe(true)

    rt.blackhole(false)
    await whileAdvancing(transport.disconnect())
    expect(transport.isConnected()).toBe(false)
    await transport.connect()
    await until(() => socketSignals.filter((s) => s.type === 'open').length === 2)
    transport.sendHeartbeat() // the old in-flight probe does not block a probe on the new socket
    await until(() => socketSignals.filter((s) => s.type === 'heartbeat').length === 2)
  })

  it('stamps every inbound frame, not only heartbeat replies, as proof that the socket is alive (lastInboundAt)', async () => {
    let now = 1_000
    const { transport } = await connected({ ...systemClock, now: () => now })
    const { signals } = await joined(transport, 'todos', config({ broadcast: ['ping'] }))
    expect(transport.lastInboundAt?.()).toBe(1_000)
    now = 2_000
    rt.blackhole(true) // heartbeats go unanswered, but server pushes still arrive
    transport.sendHeartbeat()
    rt.sendBroadcast('todos', 'ping', { n: 1 })
    await until(() => eventsOf(signals).length === 1)
    expect(transport.lastInboundAt?.()).toBe(2_000)
    now = 3_000
    await advance(1_000)
    expect(transport.lastInboundAt?.()).toBe(2_000)
    rt.blackhole(false)
  })

  it('keeps phoenix from closing a socket whose heartbeat reply is queued while other frames keep arriving', async () => {
    const { transport, socketSignals } = await connected()
    const { signals } = await joined(transport, 'todos', config({ broadcast: ['ping'] }))
    rt.answerHeartbeats = false // the reply never comes (or is stuck behind traffic)
    transport.sendHeartbeat()
    for (let i = 0; i < 14; i++) {
      await advance(5_000, 250)
      rt.sendBroadcast('todos', 'ping', { n: i })
    }
    await until(() => eventsOf(signals).length === 14)
    expect(transport.isConnected()).toBe(true)
    expect(socketSignals.map((s) => s.type)).not.toContain('close')
    // Truly silent: phoenix's own timeout still closes it (the library's probe notices far sooner).
    transport.sendHeartbeat()
    await advance(60_000, 500)
    expect(transport.isConnected()).toBe(false)
  })

  it('reports a frame it cannot decode as a malformed socket signal, never as an uncaught exception, and keeps decoding', async () => {
    const { transport, socketSignals } = await connected()
    const { signals } = await joined(transport, 'todos', config({ broadcast: ['ping'] }))
    const uncaught = captureUncaughtErrors()
    try {
      rt.sendRaw('not json')
      rt.sendRaw('null')
      rt.sendRaw('[1]') // an array that names no topic or event
      rt.sendRaw(new Uint8Array([9, 0, 0]).buffer) // binary kind 9: realtime-js only decodes kind 4
      await until(() => socketSignals.filter((s) => s.type === 'malformed').length === 4)
      rt.sendBroadcast('todos', 'ping', { n: 1 })
      await until(() => eventsOf(signals).length === 1)
    } finally {
      uncaught.restore()
    }
    expect(uncaught.errors).toEqual([])
    expect(socketSignals.filter((s) => s.type === 'malformed')).toEqual([
      { type: 'malformed', reason: 'a frame that could not be decoded' },
      { type: 'malformed', reason: 'a frame that could not be decoded' },
      { type: 'malformed', reason: 'a frame that decodes to no message' },
      { type: 'malformed', reason: 'a frame that decodes to no message' },
    ])
  })

  it('stops reporting to a watcher after its cleanup', async () => {
    const { transport } = adapter()
    const seen: SocketSignal[] = []
    const stop = transport.watchSocket((signal) => seen.push(signal))
    await transport.connect()
    await until(() => seen.length === 1)
    stop()
    transport.sendHeartbeat()
    rt.dropAll()
    await advance(500)
    expect(seen).toEqual([{ type: 'open' }])
  })

  it('disconnect() closes the socket cleanly and nothing reopens it', async () => {
    const { transport, socketSignals } = await connected()
    await joined(transport, 'todos', config())
    await whileAdvancing(transport.disconnect())
    expect(transport.isConnected()).toBe(false)
    expect(rt.openConnections).toBe(0)
    expect(socketSignals.map((s) => s.type)).toEqual(['open', 'close'])
    await advance(60_000, 250)
    expect(rt.connections).toBe(1)
  })
})

describe('(contrast) stock supabase-js, without createSupabaseTransport', () => {
  it('reconnects on its own at 1/2/5/10 s after a drop, and rejoins the channel at once', async () => {
    const raw = newClient()
    const statuses: string[] = []
    raw.channel('todos').subscribe((status) => statuses.push(status))
    await until(() => statuses.includes('SUBSCRIBED'))

    rt.refuseConnections(100)
    const start = Date.now()
    rt.dropAll()
    const attemptsAt: number[] = []
    for (let seen = rt.connections; Date.now() - start < 60_000;) {
      await advance(100, 100)
      if (rt.connections !== seen) {
        seen = rt.connections
        attemptsAt.push(Date.now() - start)
      }
    }
    expect(attemptsAt).toEqual([1_000, 3_000, 8_000, 18_000, 28_000, 38_000, 48_000, 58_000])

    rt.refuseConnections(0)
    await until(() => rt.joins.length === 2, { maxMs: 11_000, step: 100 })
    expect(rt.joins.map((j) => j.connection)).toEqual([1, rt.connections])
  })

  it('rejoins a channel on its own after a join error', async () => {
    const raw = newClient()
    rt.joinReply = (_topic, _payload, ctx) =>
      rt.joins.length === 1 ? { status: 'error', response: { reason: 'boom' } } : ctx.defaultReply()
    const statuses: string[] = []
    raw.channel('todos').subscribe((status) => statuses.push(status))
    await until(() => statuses.includes('SUBSCRIBED'), { maxMs: 5_000 })
    expect(statuses).toEqual(['CHANNEL_ERROR', 'SUBSCRIBED'])
    expect(rt.joins).toHaveLength(2)
  })
})
