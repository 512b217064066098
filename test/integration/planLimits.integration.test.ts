/**
 * Plan limits end to end: the emulator enforces them as Supabase Realtime does, real supabase-js
 * carries its refusals, and the library takes each one's documented recovery (polled while not
 * live, no retry loop, back once the limit frees up). Real timers.
 */
import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterEach, describe, expect, it } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import type { LimitsOption } from '../../src/policy/capacity'
import type { LogLevel } from '../../src/env/logger'
import { constantSignal } from '../../src/env/signal'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator, StartRealtimeEmulatorOptions } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { emulatorClient, sql, stopLibrary } from './emulatorLibrary'

const SETUP = 'create table items (id bigint primary key, topic text not null)'

/** The library on a fresh client: one query per topic (tag `Items:<topic>`), fetches counted by topic. */
function startLibrary(emulator: RealtimeEmulator, limits: LimitsOption) {
  const client = emulatorClient(emulator)
  const fetches: Record<string, number> = {}
  const api = createApi({
    reducerPath: 'itemsApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Items'],
    endpoints: (build) => ({
      items: build.query<unknown[], string>({
        queryFn: async (topic) => {
          fetches[topic] = (fetches[topic] ?? 0) + 1
          const { data, error } = await client.from('items').select('id').eq('topic', topic)
          return error ? { error: { message: error.message } } : { data: data as unknown[] }
        },
        providesTags: (_result, _error, topic) => [{ type: 'Items', id: topic }],
      }),
    }),
  })
  const warnings: string[] = []
  const realtime = createRealtime({
    client,
    api,
    limits,
    polling: { forceMs: 300 },
    retry: { baseDelay: 200, maxDelay: 1_000, maxRetries: 50, suspendedRetryMs: 1_000 },
    env: {
      visibility: constantSignal(true),
      online: constantSignal(true),
      logSink: (level: LogLevel, line: string) => void (level === 'warn' && warnings.push(line)),
      logLevel: 'warn',
    },
  })
  const store = configureStore({
    reducer: { itemsApi: api.reducer, realtime: realtime.reducer },
    middleware: (gDM) =>
      gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware, realtime.middleware),
  })
  const stopSaga = realtime.start(store)
  const stops: Array<() => void> = []
  const state = () => realtime.selectors.selectRealtimeState(store.getState())
  return {
    client,
    realtime,
    store,
    fetches,
    warnings,
    state,
    /** Mounts the topic's query and subscribes to its rows (or to `table`). */
    watch(topic: string, table = 'items') {
      const query = store.dispatch(api.endpoints.items.initiate(topic))
      const handle = realtime.subscribe({
        topic,
        postgres: [{ event: '*', schema: 'public', table, filter: `topic=eq.${topic}` }],
        tags: [{ type: 'Items', id: topic }],
      })
      stops.push(
        () => handle.unsubscribe(),
        () => query.unsubscribe(),
      )
      return handle
    },
    channel: (topic: string) => state().channels[topic],
    stop: () => stopLibrary(client, ...stops, stopSaga),
  }
}

type Library = ReturnType<typeof startLibrary>

/** Polled: the topic's query is fetched again and again while its channel is not live. */
async function expectPolled(library: Library, topic: string): Promise<void> {
  const before = library.fetches[topic] ?? 0
  await waitFor(() => (library.fetches[topic] ?? 0) >= before + 2, { timeoutMs: 10_000, message: `${topic} polled` })
}

describe('plan limits: each refusal of the server takes its documented recovery', () => {
  let emulator: RealtimeEmulator | undefined
  let library: Library | undefined
  let clients: SupabaseClient[] = []

  async function start(options: StartRealtimeEmulatorOptions, limits: LimitsOption = 'pro') {
    emulator = await startRealtimeEmulator({ setupSql: SETUP, ...options })
    library = startLibrary(emulator, limits)
    return { emulator, library }
  }

  afterEach(async () => {
    await library?.stop()
    for (const client of clients) await client.realtime.disconnect()
    clients = []
    await emulator?.stop()
    library = undefined
    emulator = undefined
  })

  it('opens no more channels than the plan allows: the topic beyond is polled, and goes live when a channel closes', async () => {
    const { emulator, library } = await start({ limits: { channelsPerConnection: 2 } }, { channelsPerConnection: 2 })
    const a = library.watch('a')
    library.watch('b')
    library.watch('c')
    await waitFor(() => library.channel('a')?.state === 'subscribed' && library.channel('b')?.state === 'subscribed')
    expect(library.channel('c')).toMatchObject({ state: 'error' })
    expect(library.channel('c')!.lastError?.message).toMatch(/waits for a channel/)
    expect(library.state().metrics.channelsOverCapacity).toBe(1)
    expect(library.state().metrics.serverRefusals).toEqual({}) // the guard kept the server from refusing
    await expectPolled(library, 'c')

    a.unsubscribe()
    await waitFor(() => library.channel('c')?.state === 'subscribed', { timeoutMs: 10_000 })
    expect(emulator.joinedTopics().sort()).toEqual(['realtime:b', 'realtime:c'])
  })

  it('backs off long after ChannelRateLimitReached (no retry loop), polling the topic meanwhile', async () => {
    const { emulator, library } = await start({ limits: { channelsPerConnection: 1 } }) // the library believes Pro
    library.watch('a')
    library.watch('b')
    await waitFor(() => library.state().metrics.serverRefusals['channel-rate-limit'] === 1, { timeoutMs: 10_000 })
    const refused = library.channel('a')?.state === 'subscribed' ? 'b' : 'a'
    expect(library.channel(refused)!.lastError?.message).toMatch(/ChannelRateLimitReached/)
    expect(library.channel(refused)!.nextRetryAt! - Date.now()).toBeGreaterThan(10_000)
    await expectPolled(library, refused)
    expect(library.state().metrics.serverRefusals).toEqual({ 'channel-rate-limit': 1 })
    expect(library.warnings.filter((line) => /ChannelRateLimitReached/.test(line))).toHaveLength(1)
    expect(emulator.joinedTopics()).toHaveLength(1)
  })

  it('polls a subscription the server refuses, asks again only after a long wait, and at once on recover()', async () => {
    const { emulator, library } = await start({})
    library.watch('x', 'missing_table')
    await waitFor(() => library.state().metrics.serverRefusals['subscription-refused'] === 1, { timeoutMs: 10_000 })
    const error = library.channel('x')!.lastError!
    expect(error).toMatchObject({ type: 'SUBSCRIPTION_FAILED', retryable: false })
    expect(error.message).toContain('public.missing_table (filter: topic=eq.x)')
    expect(error.message).toContain('supabase_realtime publication')
    expect(library.channel('x')!.nextRetryAt! - Date.now()).toBeGreaterThan(10_000) // 30 s × [0.5, 1.5)
    await expectPolled(library, 'x')
    expect(emulator.joinedTopics()).toEqual([]) // the channel was removed, not left joined and silent
    expect(library.state().metrics.serverRefusals).toEqual({ 'subscription-refused': 1 })

    await sql(emulator, 'create table missing_table (id bigint primary key, topic text)')
    // The publication is for all tables of public; recover() asks again and the subscription is served now.
    library.store.dispatch(library.realtime.actions.recover())
    await waitFor(() => library.channel('x')?.state === 'subscribed', { timeoutMs: 10_000 })
  })

  it('holds every join after ClientJoinRateLimitReached (the server disconnects), polling meanwhile', async () => {
    const { library } = await start({ limits: { joinsPerSecond: 1 } })
    for (const topic of ['a', 'b', 'c', 'd', 'e']) library.watch(topic)
    await waitFor(() => Object.values(library.state().channels).every((channel) => channel.state === 'subscribed'))
    // 5 joins in the server's first 5 s: 1/s, the limit, from its next tick on.
    await new Promise((resolve) => setTimeout(resolve, 5_500))
    library.watch('f')
    await waitFor(() => library.state().metrics.serverRefusals['join-rate-limit'] === 1, { timeoutMs: 10_000 })
    // The server disconnected the socket: the library reconnects, and holds its joins instead of looping.
    await waitFor(() => library.state().connection === 'connected', { timeoutMs: 10_000 })
    await expectPolled(library, 'a')
    expect(library.state().metrics.serverRefusals).toEqual({ 'join-rate-limit': 1 })
    expect(Object.values(library.state().channels).filter((channel) => channel.state === 'subscribed')).toEqual([])
    expect(library.channel('a')!.lastError?.message).toMatch(/ClientJoinRateLimitReached/)
  })

  it('closes a channel for "Too many messages per second" and waits long before it rejoins', async () => {
    const { emulator, library } = await start({ limits: { messagesPerSecond: 1 } })
    library.realtime.subscribe({ topic: 'chat', broadcast: ['*'], tags: [{ type: 'Items', id: 'chat' }] })
    const sender = emulatorClient(emulator)
    clients.push(sender)
    const channel = sender.channel('chat')
    await new Promise<void>((resolve) => channel.subscribe((status) => status === 'SUBSCRIBED' && resolve()))
    await waitFor(() => library.channel('chat')?.state === 'subscribed')
    for (let n = 0; n < 3; n++) await channel.send({ type: 'broadcast', event: 'said', payload: { n } })
    await waitFor(() => library.state().metrics.messagesReceived >= 3)
    await new Promise((resolve) => setTimeout(resolve, 5_500)) // 3 sent + 3 received in 5 s: over 1/s
    // Over the limit, REST sends are refused (429); one sent on the socket still reaches the channel, which the server then closes.
    const rest = await fetch(`${emulator.url}/realtime/v1/api/broadcast/chat/events/said`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', apikey: emulator.serviceRoleKey },
      body: '{}',
    })
    expect(rest.status).toBe(429)
    await channel.send({ type: 'broadcast', event: 'said', payload: { n: 3 } })
    await waitFor(() => library.state().metrics.serverRefusals['message-rate-limit'] === 1, { timeoutMs: 10_000 })
    expect(library.channel('chat')!.nextRetryAt! - Date.now()).toBeGreaterThan(10_000)
    expect(library.channel('chat')!.lastError?.message).toMatch(/Too many messages per second/)
    expect(emulator.joinedTopics()).toEqual(['realtime:chat']) // the sender's; the library's channel is gone
  })
})
