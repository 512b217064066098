import { configureStore, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import type { RealtimeChannel, SupabaseClient, SupabaseClientOptions } from '@supabase/supabase-js'
import { http, HttpResponse } from 'msw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRealtime, type Realtime } from '../../src/core/createRealtime'
import type { RealtimeOptions } from '../../src/core/options'
import { systemClock } from '../../src/env/clock'
import type { LogLevel } from '../../src/env/logger'
import type { RealtimeState } from '../../src/slice/state'
import type { SubscriptionSpec } from '../../src/subscription/spec'
import type { RealtimeEvent } from '../../src/events/events'
import { recordingEnv } from '../support/harness'
import {
  captureUncaughtErrors,
  createMswRealtimeServer,
  EXPIRED_TOKEN_REASON,
  type MswRealtimeServer,
} from '../support/mswRealtimeServer'
import {
  advance,
  ANON_KEY,
  clientTopics,
  closeAll,
  endTest,
  expectNoDuplicateTopics,
  fakeJwt,
  fakeSession,
  FAKE_USER,
  makeClient,
  until,
  useProtocolFakeTimers,
  whileAdvancing,
} from './protocolSupport'

const RETRY = { maxRetries: 3, baseDelay: 1_000, maxDelay: 30_000, backoffMultiplier: 2, suspendedRetryMs: 10_000 }

interface Lib {
  client: SupabaseClient
  realtime: Realtime
  store: { getState(): unknown; dispatch(action: UnknownAction): unknown }
  actions: UnknownAction[]
  logs: Array<{ level: LogLevel; line: string }>
  /** Channel names the library asked supabase-js for while the client already held that topic. */
  reusedTopics: string[]
  state(): RealtimeState
  /**
   * Asserts that the client never holds two channels for one topic, was never asked for a topic it
   * still held, and that the library never ran into a channel of its own it had not removed.
   */
  checkChannels(): void
  ofType(type: string): UnknownAction[]
  stop(): void
}

// Fake time keeps every test short; the real-time limit only guards against a loaded machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 })

let rt: MswRealtimeServer
let clients: SupabaseClient[]
let running: Lib[]

beforeEach(() => {
  useProtocolFakeTimers()
  rt = createMswRealtimeServer()
  rt.listen() // before createClient: supabase-js captures globalThis.WebSocket at construction
  clients = []
  running = []
})

afterEach(async () => {
  const failures = running.flatMap((lib) => lib.logs.filter((log) => log.level === 'error').map((log) => log.line))
  await endTest()
  for (const lib of running) lib.stop()
  await advance(1_000, 50) // the sagas' finally blocks remove channels and close the socket
  await closeAll(rt, clients)
  expect(failures, 'no saga crashed and nothing was logged as an error').toEqual([])
})

/** The whole library on a real supabase-js client: fake timers drive supabase-js and the sagas alike. */
function startLibrary(
  options: Partial<RealtimeOptions> = {},
  clientOptions: SupabaseClientOptions<'public'> = {},
): Lib {
  const client = makeClient(rt, clientOptions)
  clients.push(client)
  const reusedTopics: string[] = []
  const channel = client.channel.bind(client)
  client.channel = ((name: string, opts?: Parameters<SupabaseClient['channel']>[1]): RealtimeChannel => {
    if (clientTopics(client).includes(name)) reusedTopics.push(name)
    return channel(name, opts)
  }) as SupabaseClient['channel']

  const actions: UnknownAction[] = []
  const logs: Lib['logs'] = []
  const recorder: Middleware = () => (next) => (action) => {
    actions.push(action as UnknownAction)
    return next(action)
  }
  const realtime = createRealtime({
    client,
    retry: RETRY,
    ...options,
    env: {
      ...recordingEnv(systemClock, 1, logs),
      ...options.env,
    },
  } as RealtimeOptions)
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (gDM) => gDM().concat(recorder, realtime.middleware),
  })
  const stopSaga = realtime.start(store)
  let stopped = false
  const lib: Lib = {
    client,
    realtime,
    store,
    actions,
    logs,
    reusedTopics,
    state: () => realtime.selectors.selectRealtimeState(store.getState()),
    checkChannels() {
      expectNoDuplicateTopics(client)
      expect(reusedTopics).toEqual([])
      // The adapter refuses a topic the client already holds: the library must never run into its own channel.
      const refusals = actions.filter(
        (a) => a.type === realtime.events.channelErrored.type && JSON.stringify(a.payload).includes('did not create'),
      )
      expect(refusals).toEqual([])
    },
    ofType: (type) => actions.filter((action) => action.type === type),
    stop() {
      if (stopped) return
      stopped = true
      stopSaga()
    },
  }
  running.push(lib)
  return lib
}

const todosSpec = (onMessage?: (event: RealtimeEvent) => void): SubscriptionSpec => ({
  topic: 'todos',
  postgres: [{ event: 'INSERT', schema: 'public', table: 'todos' }],
  tags: [{ type: 'Todo', id: 'LIST' }],
  ...(onMessage ? { onMessage } : {}),
})

const channelState = (lib: Lib, topic = 'todos') => lib.state().channels[topic]?.state
const subscribedOn =
  (lib: Lib, topic = 'todos') =>
  () =>
    channelState(lib, topic) === 'subscribed'
const payloadOf = <T>(action: UnknownAction | undefined): T => (action as unknown as { payload: T }).payload

describe('the library on the real supabase-js client', () => {
  it('joins with the postgres_changes bindings and a token, then routes an INSERT to onMessage and eventsReceived', async () => {
    const received: RealtimeEvent[] = []
    const lib = startLibrary()
    lib.realtime.subscribe(todosSpec((event) => received.push(event)))
    await until(subscribedOn(lib))
    lib.checkChannels()

    expect(lib.state().connection).toBe('connected')
    expect(lib.state().channels.todos).toMatchObject({
      state: 'subscribed',
      subscriberCount: 1,
      resumed: true,
      joins: 1,
    })
    expect(rt.connections).toBe(1)
    expect(rt.joins).toHaveLength(1)
    expect(rt.joins[0]!.payload).toMatchObject({
      access_token: ANON_KEY,
      config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'todos' }], private: false },
    })
    expect(clientTopics(lib.client)).toEqual(['todos'])

    expect(
      rt.sendPostgresChange('todos', {
        schema: 'public',
        table: 'todos',
        type: 'INSERT',
        record: { id: 1, title: 'milk' },
      }),
    ).toBe(1)
    await until(() => lib.ofType(lib.realtime.events.eventsReceived.type).length === 1)
    expect(received).toHaveLength(1)
    expect(received[0]).toMatchObject({
      kind: 'postgres_changes',
      topic: 'todos',
      eventType: 'INSERT',
      new: { id: 1, title: 'milk' },
      old: null,
    })
    const batch = payloadOf<{ events: RealtimeEvent[] }>(lib.ofType(lib.realtime.events.eventsReceived.type)[0])
    expect(batch.events).toEqual(received)
    expect(lib.state().metrics.messagesReceived).toBe(1)
    expect(lib.state().channels.todos?.lastMessageAt).toBe(received[0]!.receivedAt)
    lib.checkChannels()
  })

  it('marks a channel whose join is refused as error, then rejoins after its own backoff', async () => {
    rt.joinReply = (_topic, _payload, ctx) =>
      rt.joins.length === 1
        ? { status: 'error', response: { reason: 'Internal error: tenant busy' } }
        : ctx.defaultReply()
    const lib = startLibrary()
    lib.realtime.subscribe(todosSpec())
    await until(() => channelState(lib) === 'error')
    lib.checkChannels()

    const errored = payloadOf<{ retryInMs: number; at: number; error: { type: string } }>(
      lib.ofType(lib.realtime.events.channelErrored.type)[0],
    )
    expect(errored.error.type).toBe('CHANNEL_ERROR')
    expect(errored.retryInMs).toBeGreaterThanOrEqual(0)
    expect(errored.retryInMs).toBeLessThanOrEqual(RETRY.baseDelay)
    expect(lib.state().channels.todos).toMatchObject({ state: 'error', nextRetryAt: errored.at + errored.retryInMs })
    expect(lib.state().channels.todos?.lastError).toMatchObject({ type: 'CHANNEL_ERROR', retryable: true })
    expect(clientTopics(lib.client)).toEqual([]) // removed at once: supabase-js's own rejoin cannot fire

    if (errored.retryInMs > 20) {
      await advance(errored.at + errored.retryInMs - Date.now() - 10)
      expect(rt.joins).toHaveLength(1)
    }
    await until(subscribedOn(lib))
    expect(Date.now()).toBeGreaterThanOrEqual(errored.at + errored.retryInMs)
    expect(rt.joins).toHaveLength(2)
    expect(rt.connections).toBe(1)
    lib.checkChannels()
    expect(clientTopics(lib.client)).toEqual(['todos'])

    await advance(30_000, 250) // nothing else retries
    expect(rt.joins).toHaveLength(2)
    lib.checkChannels()
  })

  it('reports a postgres_changes binding mismatch as SUBSCRIPTION_FAILED and rejoins after its backoff', async () => {
    rt.joinReply = (_topic, _payload, ctx) =>
      rt.joins.length === 1
        ? { status: 'ok', response: { postgres_changes: [{ id: 99, event: '*', schema: 'public', table: 'todos' }] } }
        : ctx.defaultReply()
    const lib = startLibrary()
    lib.realtime.subscribe(todosSpec())
    await until(() => channelState(lib) === 'error')
    expect(lib.state().channels.todos?.lastError).toMatchObject({ type: 'SUBSCRIPTION_FAILED', retryable: true })
    expect(lib.ofType(lib.realtime.events.channelErrored.type)).toHaveLength(1)
    lib.checkChannels()
    await until(subscribedOn(lib), { maxMs: 5_000 })
    expect(rt.joins).toHaveLength(2)
    lib.checkChannels()
  })

  it('reconnects and rejoins after a dropped connection, marking the channel as not resumed', async () => {
    const lib = startLibrary()
    lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib))

    rt.dropAll()
    await until(() => lib.state().connection === 'reconnecting')
    lib.checkChannels()
    expect(channelState(lib)).toBe('closed')
    const scheduled = payloadOf<{ attempt: number; delayMs: number; at: number }>(
      lib.ofType(lib.realtime.events.reconnectScheduled.type)[0],
    )
    expect(scheduled.attempt).toBe(0)
    expect(scheduled.delayMs).toBeLessThanOrEqual(RETRY.baseDelay)

    await until(subscribedOn(lib), { maxMs: 5_000 })
    lib.checkChannels()
    expect(lib.state().connection).toBe('connected')
    expect(Date.now()).toBeGreaterThanOrEqual(scheduled.at + scheduled.delayMs)
    expect(lib.state().channels.todos).toMatchObject({ state: 'subscribed', resumed: false, joins: 2 })
    expect(lib.state().channels.todos?.gapMs).toBeGreaterThanOrEqual(scheduled.delayMs)
    expect(lib.state().metrics.reconnections).toBe(1)
    expect(rt.connections).toBe(2)
    expect(rt.joins.map((j) => [j.topic, j.connection])).toEqual([
      ['realtime:todos', 1],
      ['realtime:todos', 2],
    ])

    // A change after the rejoin is delivered on the new socket.
    rt.sendPostgresChange('todos', { schema: 'public', table: 'todos', type: 'INSERT', record: { id: 2 } })
    await until(() => lib.state().metrics.messagesReceived === 1)
  })

  it('counts 1 + the retries it scheduled as connection attempts during an outage: supabase-js adds none', async () => {
    const lib = startLibrary()
    lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib))
    const scheduledType = lib.realtime.events.reconnectScheduled.type

    rt.refuseConnections(4)
    rt.dropAll()
    const states = new Set<string>()
    const attemptsAt: number[] = []
    let seen = rt.connections
    await until(
      () => {
        states.add(lib.state().connection)
        if (rt.connections !== seen) {
          seen = rt.connections
          attemptsAt.push(Date.now())
        }
        lib.checkChannels()
        return channelState(lib) === 'subscribed'
      },
      { maxMs: 60_000, step: 10 },
    )
    // drop → retry 0, 1, 2 (reconnecting) → retry 3 (suspended) → retry 4 opens
    const retries = lib.ofType(scheduledType).map((a) => payloadOf<{ attempt: number; delayMs: number; at: number }>(a))
    expect(retries.map((r) => r.attempt)).toEqual([0, 1, 2, 3, 4])
    expect(rt.connections).toBe(1 + retries.length)
    // Each attempt went out when our policy said, not on supabase-js's 1/2/5/10 s: at its due time, or
    // once the dead socket finished closing if that took longer (supabase-js polls the close on a
    // 150·n ms schedule, 1.5 s at most; msw reports closes late, so short delays show it).
    expect(attemptsAt).toHaveLength(retries.length)
    attemptsAt.forEach((at, i) => {
      const due = retries[i]!.at + retries[i]!.delayMs
      expect(at - due).toBeGreaterThanOrEqual(0)
      expect(at - due).toBeLessThanOrEqual(1_510)
    })
    expect(states).toContain('reconnecting')
    expect(states).toContain('suspended')
    expect(retries[3]!.delayMs).toBeGreaterThanOrEqual(RETRY.suspendedRetryMs * 0.5)
    expect(lib.state().channels.todos).toMatchObject({ state: 'subscribed', resumed: false })
    expect(rt.joins.map((j) => j.connection)).toEqual([1, rt.connections])

    await advance(60_000, 250)
    expect(rt.connections).toBe(1 + retries.length)
    expect(lib.ofType(scheduledType)).toHaveLength(retries.length)
    expect(rt.joins).toHaveLength(2)
    lib.checkChannels()
  })

  it('retries a join refused for an expired session token once, after refreshing the session, with the new token', async () => {
    const first = fakeJwt('user-1', 1)
    const second = fakeJwt('user-1', 2)
    const refreshes: unknown[] = []
    rt.server.use(
      http.get(`${rt.url}/auth/v1/user`, () => HttpResponse.json(FAKE_USER)),
      http.post(`${rt.url}/auth/v1/token`, async ({ request }) => {
        refreshes.push(await request.json())
        return HttpResponse.json(fakeSession(second, 'refresh-2'))
      }),
    )
    rt.acceptToken = (token) => token !== first
    const lib = startLibrary()
    const { error } = await lib.client.auth.setSession({ access_token: first, refresh_token: 'refresh-1' })
    expect(error).toBeNull()

    lib.realtime.subscribe({ ...todosSpec(), private: true })
    await until(subscribedOn(lib), { maxMs: 5_000 })
    lib.checkChannels()

    expect(rt.joins.map((j) => j.payload.access_token)).toEqual([first, second])
    expect(rt.joins.map((j) => j.payload.config?.private)).toEqual([true, true])
    expect(refreshes).toEqual([{ refresh_token: 'refresh-1' }])
    const errored = payloadOf<{ error: { type: string; message: string }; retryInMs: number }>(
      lib.ofType(lib.realtime.events.channelErrored.type)[0],
    )
    expect(errored).toMatchObject({ retryInMs: 0, error: { type: 'AUTHENTICATION_FAILED' } })
    expect(errored.error.message).toContain(EXPIRED_TOKEN_REASON)
    expect(lib.state().connection).toBe('connected')
    expect(lib.ofType(lib.realtime.events.sessionChanged.type).length).toBeGreaterThanOrEqual(1)
    expect(lib.logs.map((l) => l.line).join('\n')).not.toContain(first.split('.')[1]!)
  })

  it('asks a third-party accessToken source again after an expired token, and joins with the new one', async () => {
    let expired = false
    rt.acceptToken = (token) => {
      if (token === 'third-party-old') expired = true
      return token !== 'third-party-old'
    }
    const lib = startLibrary({}, { accessToken: async () => (expired ? 'third-party-new' : 'third-party-old') })
    lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib), { maxMs: 5_000 })
    lib.checkChannels()
    expect(rt.joins.map((j) => j.payload.access_token)).toEqual(['third-party-old', 'third-party-new'])
    expect(lib.ofType(lib.realtime.events.channelErrored.type)).toHaveLength(1)
    expect(lib.state().connection).toBe('connected')
  })

  it('rejoins at once with a fresh token when the server closes a joined channel for an expired token', async () => {
    let generation = 1
    const lib = startLibrary({}, { accessToken: async () => `third-party-${generation}` })
    lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib))
    generation = 2
    const expiredAt = Date.now()
    rt.sendSystem('todos', {
      extension: 'system',
      status: 'error',
      message: 'Token has expired 2 seconds ago',
      channel: 'todos',
    })
    rt.sendPhxClose('todos')
    await until(() => rt.joins.length === 2 && channelState(lib) === 'subscribed', { maxMs: 1_000 })
    expect(Date.now() - expiredAt).toBeLessThan(200) // no backoff: only the round trips
    expect(rt.joins.map((j) => j.payload.access_token)).toEqual(['third-party-1', 'third-party-2'])
    expect(lib.state().metrics.tokenExpiries).toBe(1)
    const errored = payloadOf<{ retryInMs: number; tokenExpired: boolean }>(
      lib.ofType(lib.realtime.events.channelErrored.type)[0],
    )
    expect(errored).toMatchObject({ retryInMs: 0, tokenExpired: true })
    expect(lib.state().connection).toBe('connected')
    lib.checkChannels()
  })

  it('pushes a fresh token to its joined channels ahead of expiry, so the server never closes them', async () => {
    const lifetimeS = 300
    const token = (generation: number) => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const now = Math.floor(Date.now() / 1000)
      return `${encode({ alg: 'HS256' })}.${encode({ sub: 'u', iat: now, exp: now + lifetimeS, generation })}.c2ln`
    }
    let generation = 0
    const lib = startLibrary({}, { accessToken: async () => token((generation += 1)) })
    lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib))
    await until(() => rt.frames.some((f) => f.event === 'access_token'), { maxMs: lifetimeS * 1_000, step: 1_000 })
    // Whoever pushed it first: the library's refresh-ahead, or (newer supabase-js) its own token refresh.
    expect(lib.state().metrics.tokenRefreshesAhead).toBeLessThanOrEqual(1)
    expect(lib.state().metrics.tokenExpiries).toBe(0)
    expect(rt.joins).toHaveLength(1)
    lib.checkChannels()
  })

  it('keeps one channel per topic while a topic is rebound, shared and released', async () => {
    const lib = startLibrary()
    const a = lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib))
    lib.checkChannels()

    const b = lib.realtime.subscribe({
      topic: 'todos',
      postgres: [{ event: 'DELETE', schema: 'public', table: 'todos' }],
    })
    const other = lib.realtime.subscribe({ topic: 'room', broadcast: ['ping'] })
    await until(() => rt.joins.length === 3 && subscribedOn(lib)() && subscribedOn(lib, 'room')())
    lib.checkChannels()
    expect(clientTopics(lib.client).sort()).toEqual(['room', 'todos'])
    const rejoin = rt.joins.filter((j) => j.topic === 'realtime:todos')[1]!
    expect(rejoin.payload.config?.postgres_changes).toEqual([
      { event: 'DELETE', schema: 'public', table: 'todos' },
      { event: 'INSERT', schema: 'public', table: 'todos' },
    ])

    a.unsubscribe()
    b.unsubscribe()
    await advance(2_000, 50)
    lib.checkChannels()
    expect(clientTopics(lib.client)).toEqual(['room'])
    other.unsubscribe()
    await advance(2_000, 50)
    lib.checkChannels()
    expect(lib.client.realtime.getChannels()).toEqual([])
    expect(lib.state().connection).toBe('idle')
    expect(rt.openConnections).toBe(0)
  })

  it('survives malformed frames without an uncaught exception: counted, the socket replaced, the events after them delivered', async () => {
    const received: RealtimeEvent[] = []
    const lib = startLibrary()
    lib.realtime.subscribe({
      topic: 'todos',
      postgres: [{ event: '*', schema: 'public', table: 'todos' }],
      onMessage: (event) => received.push(event),
    })
    await until(subscribedOn(lib))

    const uncaught = captureUncaughtErrors()
    try {
      expect(rt.sendRaw('not json')).toBe(1)
      rt.sendRaw(new Uint8Array([9, 0, 0]).buffer) // binary kind 9: realtime-js only decodes kind 4
      await until(() => lib.state().metrics.framesMalformed >= 1)
      // What the frame carried is lost: the socket is replaced and the topic rejoined (with catch-up).
      await until(() => rt.connections === 2 && channelState(lib) === 'subscribed', { maxMs: 5_000 })
    } finally {
      uncaught.restore()
    }
    expect(uncaught.errors).toEqual([])
    rt.sendPostgresChange('todos', { schema: 'public', table: 'todos', type: 'TRUNCATE' as never, record: { id: 0 } })
    rt.sendPostgresChange('todos', { schema: 'public', table: 'todos', type: 'INSERT', record: { id: 3 } })
    await until(() => received.length === 1 && lib.state().metrics.messagesReceived === 1)

    expect(received[0]).toMatchObject({ eventType: 'INSERT', new: { id: 3 } })
    // An unreadable payload is only skipped; an undecodable frame is counted apart.
    expect(lib.state().metrics.eventsMalformed).toBe(1)
    expect(lib.state().metrics.errorsByType.MALFORMED_FRAME).toBe(lib.state().metrics.framesMalformed)
    expect(lib.ofType(lib.realtime.events.malformedMessageSkipped.type)).toHaveLength(1)
    expect(lib.logs.filter((log) => /could not be decoded; replacing the socket/.test(log.line))).toHaveLength(1)
    expect(lib.state().channels.todos).toMatchObject({ state: 'subscribed', resumed: false })
    lib.checkChannels()
  })

  it('notices a blackholed server through its own heartbeat probe within 6 s and reconnects', async () => {
    const lib = startLibrary()
    lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib))
    const silentSince = Date.now()
    rt.blackhole(true)
    await until(() => lib.state().connection === 'reconnecting', { maxMs: 15_000, step: 50 })
    // Probe after 2.5 s of silence, dead after 3 s more; the state changes once phoenix's clean
    // teardown of the socket has finished (it polls readyState every 150·n ms).
    const [detected] = lib
      .ofType(lib.realtime.events.connectionSilenceDetected.type)
      .map((a) => payloadOf<{ at: number; silentSince: number }>(a))
    expect(detected!.at - detected!.silentSince).toBeLessThanOrEqual(6_000)
    expect(detected!.silentSince).toBeLessThanOrEqual(silentSince)
    expect(Date.now() - silentSince).toBeLessThanOrEqual(6_000 + 300)
    expect(lib.state().lastError).toMatchObject({ type: 'TIMEOUT' })
    rt.blackhole(false)
    await until(subscribedOn(lib), { maxMs: 5_000 })
    expect(rt.connections).toBe(2)
    lib.checkChannels()
  })

  it('notices a blackholed server within 30 s while the page is hidden', async () => {
    const lib = startLibrary({ env: { visibility: { current: () => false, subscribe: () => () => undefined } } })
    lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib))
    expect(lib.state().visible).toBe(false)
    const silentSince = Date.now()
    rt.blackhole(true)
    await until(() => lib.state().connection === 'reconnecting', { maxMs: 40_000, step: 100 })
    const [detected] = lib
      .ofType(lib.realtime.events.connectionSilenceDetected.type)
      .map((a) => payloadOf<{ at: number; silentSince: number }>(a))
    expect(detected!.at - detected!.silentSince).toBeLessThanOrEqual(30_000)
    expect(Date.now() - silentSince).toBeLessThanOrEqual(30_000)
    rt.blackhole(false)
  })

  it('leaves a channel the app holds on the same topic alone, keeps its other topics joined, and takes the topic once it is free', async () => {
    const lib = startLibrary()
    lib.realtime.subscribe({ topic: 'room', broadcast: ['ping'] })
    await until(subscribedOn(lib, 'room'))
    const appStatuses: string[] = []
    const appChannel = lib.client
      .channel('todos')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'todos' }, () => undefined)
      .subscribe((status) => appStatuses.push(status))
    await until(() => appStatuses.includes('SUBSCRIBED'))
    lib.reusedTopics.length = 0 // the app's own channel() call above

    lib.realtime.subscribe(todosSpec())
    await until(() => channelState(lib) === 'error')
    expect(lib.state().channels.todos?.lastError).toMatchObject({ type: 'SUBSCRIPTION_FAILED', retryable: true })
    await advance(5_000, 50)
    expect(appStatuses).toEqual(['SUBSCRIBED'])
    expect(rt.joins.filter((j) => j.topic === 'realtime:room')).toHaveLength(1) // the failure stays on its own topic
    expectNoDuplicateTopics(lib.client)

    await lib.client.removeChannel(appChannel)
    await until(subscribedOn(lib), { maxMs: 30_000, step: 50 })
    expect(rt.joins.filter((j) => j.topic === 'realtime:todos').map((j) => j.payload.config?.postgres_changes)).toEqual(
      [[{ event: '*', schema: 'public', table: 'todos' }], [{ event: 'INSERT', schema: 'public', table: 'todos' }]],
    )
    expectNoDuplicateTopics(lib.client)
    expect(lib.reusedTopics).toEqual([])
  })

  it('recovers when the app calls client.removeAllChannels() behind its back (a common sign-out pattern)', async () => {
    const lib = startLibrary()
    lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib))
    await whileAdvancing(lib.client.removeAllChannels()) // also closes the socket
    await until(() => rt.joins.length === 2 && subscribedOn(lib)(), { maxMs: 15_000, step: 50 })
    expect(rt.connections).toBe(2)
    expect(lib.state().connection).toBe('connected')
    expect(clientTopics(lib.client)).toEqual(['todos'])
    lib.checkChannels()
  })

  it('closes the socket and removes every channel on disable(), and comes back on enable()', async () => {
    const lib = startLibrary()
    lib.realtime.subscribe(todosSpec())
    await until(subscribedOn(lib))
    lib.store.dispatch(lib.realtime.actions.disable())
    await until(() => rt.openConnections === 0 && lib.client.realtime.getChannels().length === 0)
    expect(lib.state().connection).toBe('disabled')
    await advance(30_000, 250)
    expect(rt.connections).toBe(1)

    lib.store.dispatch(lib.realtime.actions.enable())
    await until(subscribedOn(lib))
    expect(rt.connections).toBe(2)
    expect(rt.joins).toHaveLength(2)
    lib.checkChannels()
  })

  it('stop() removes its channels and closes the socket', async () => {
    const lib = startLibrary()
    lib.realtime.subscribe(todosSpec())
    lib.realtime.subscribe({ topic: 'room', broadcast: ['ping'] })
    await until(() => subscribedOn(lib)() && subscribedOn(lib, 'room')())
    lib.stop()
    await until(() => rt.openConnections === 0)
    expect(lib.client.realtime.getChannels()).toEqual([])
    expect(lib.client.realtime.isConnected()).toBe(false)
    await advance(60_000, 250)
    expect(rt.connections).toBe(1)
  })

  it('broadcasts through the joined channel', async () => {
    const lib = startLibrary()
    lib.realtime.subscribe({ topic: 'room', broadcast: ['ping'], broadcastOptions: { ack: true } })
    await until(subscribedOn(lib, 'room'))
    const sending = lib.realtime.broadcast('room', 'ping', { n: 1 })
    await until(() => rt.frames.some((f) => f.event === 'broadcast'))
    await expect(sending).resolves.toBe('ok')
    expect(lib.state().metrics.messagesSent).toBe(1)
  })
})
