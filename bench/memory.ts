/**
 * Memory and resources.
 *
 * - Heap growth after subscribe/unsubscribe cycles: the real sagas, slice, router and RTK Query
 *   api in a real store, on the scripted fake transport and fake clock of the test suite
 *   (test/support/fakeTransport.ts, fakeClock.ts) so that every cycle runs the whole lifecycle
 *   (debounced join, grace period, removal) without waiting on real time. Heap is read after
 *   `global.gc()` (node --expose-gc).
 * - Sockets per client with 100 subscriptions, and timers left after `stop()`: a real
 *   supabase-js client on the emulator, system clock.
 */
import { createHook } from 'node:async_hooks'
import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { createClient } from '@supabase/supabase-js'
import { createRealtime, createSeededRandom, type Clock, type TimerHandle } from '../src/index'
import { systemClock } from '../src/env/clock'
import type { RealtimeEmulator } from '../src/testing/index'
import { FakeClock } from '../test/support/fakeClock'
import { FakeTransport } from '../test/support/fakeTransport'
import type { Figure } from './report'
import { benchEnv, countingWebSocket, round, sleep, waitUntil, wireCounter } from './support'

const BINDING = { event: '*', schema: 'public', table: 'items' } as const

function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('the memory bench needs node --expose-gc (npm run bench passes it)')
  for (let i = 0; i < 4; i += 1) gc()
  return process.memoryUsage().heapUsed
}

async function settledHeap(): Promise<number> {
  collect()
  await sleep(50)
  return collect()
}

/** The fake transport keeps a record of everything for assertions; the bench empties it so only the library's memory is measured. */
function forgetFakeHistory(transport: FakeTransport): void {
  transport.log.length = 0
  transport.createdChannels.length = 0
  transport.joinedConfigs.length = 0
  ;(transport as unknown as { joinsByTopic: Map<string, number> }).joinsByTopic.clear()
}

/** Heap is sampled (after GC) every this many cycles, for the slope. */
const SAMPLE_EVERY = 1_000

/** Least-squares slope of heapUsed over cycles: a leak shows as a steady positive slope, noise as ~0. */
function slope(samples: ReadonlyArray<{ cycles: number; heapUsed: number }>): number {
  const n = samples.length
  const meanX = samples.reduce((sum, sample) => sum + sample.cycles, 0) / n
  const meanY = samples.reduce((sum, sample) => sum + sample.heapUsed, 0) / n
  let num = 0
  let den = 0
  for (const sample of samples) {
    num += (sample.cycles - meanX) * (sample.heapUsed - meanY)
    den += (sample.cycles - meanX) ** 2
  }
  return den === 0 ? 0 : num / den
}

async function heapGrowth(cycles: number, warmup: number) {
  const clock = new FakeClock()
  const transport = new FakeTransport()
  const api = createApi({
    reducerPath: 'memoryApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Items'],
    endpoints: (build) => ({
      items: build.query<number, number>({
        queryFn: (project) => ({ data: project }),
        providesTags: (_r, _e, project) => [{ type: 'Items', id: project }],
      }),
    }),
  })
  const realtime = createRealtime({
    transport,
    api,
    routes: [
      {
        on: { table: 'items' },
        tags: (e: { new: Record<string, unknown> | null }) => [{ type: 'Items', id: Number(e.new?.project_id) }],
      },
    ],
    env: benchEnv({ clock, random: createSeededRandom(7) }),
  })
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer, realtime: realtime.reducer },
    middleware: (gDM) =>
      gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware, realtime.middleware),
  })
  const stop = realtime.start(store)
  const queries = Array.from({ length: 10 }, (_, project) => store.dispatch(api.endpoints.items.initiate(project)))
  // The app stays connected through the cycles, as a page with one long-lived subscription would.
  const anchor = realtime.subscribe({ topic: 'anchor', postgres: [BINDING], tags: [{ type: 'Items', id: 0 }] })
  await clock.advance(100)

  const cycle = async (index: number) => {
    const handle = realtime.subscribe({
      topic: `cycle-${index}`,
      postgres: [{ ...BINDING, filter: `project_id=eq.${index}` }],
      tags: [{ type: 'Items', id: index % 10 }],
    })
    await clock.advance(realtime.options.timing.rebindDebounceMs + 10)
    handle.unsubscribe()
    await clock.advance(realtime.options.timing.teardownGraceMs + 10)
    if (index % 100 === 0) forgetFakeHistory(transport)
  }
  // Warm-up: lazily built structures and optimised code land in the heap once; they are not growth.
  for (let index = 0; index < warmup; index += 1) await cycle(-1 - index)
  forgetFakeHistory(transport)
  const before = await settledHeap()
  const samples: Array<{ cycles: number; heapUsed: number }> = [{ cycles: 0, heapUsed: before }]
  let cyclesMs = 0
  for (let index = 0; index < cycles; index += 1) {
    const started = performance.now()
    await cycle(index)
    cyclesMs += performance.now() - started
    if ((index + 1) % SAMPLE_EVERY === 0 && index + 1 < cycles) {
      forgetFakeHistory(transport)
      samples.push({ cycles: index + 1, heapUsed: await settledHeap() })
    }
  }
  forgetFakeHistory(transport)
  const after = await settledHeap()
  samples.push({ cycles, heapUsed: after })

  const state = realtime.selectors.selectRealtimeState(store.getState())
  const leftChannels = Object.keys(state.channels)
  const leftTopics = transport.channelTopics()
  const joins = state.metrics
  anchor.unsubscribe()
  for (const query of queries) query.unsubscribe()
  stop()
  return {
    cycles,
    warmup,
    heapBeforeBytes: before,
    heapAfterBytes: after,
    growthBytes: after - before,
    slopeBytesPerCycle: round(slope(samples), 2),
    samples,
    cyclesMs: Math.round(cyclesMs),
    channelsLeftInSlice: leftChannels,
    channelsLeftInTransport: leftTopics,
    fakeTimersPending: clock.pendingTimers(),
    totalSubscriptions: joins.totalSubscriptions,
  }
}

/** The system clock, counting the timers set through it that neither fired nor were cleared. */
function countingClock(): Clock & { pending(): number } {
  const live = new Set<TimerHandle>()
  return {
    now: () => systemClock.now(),
    setTimeout(callback, ms) {
      const handle: TimerHandle = systemClock.setTimeout(() => {
        live.delete(handle)
        callback()
      }, ms)
      live.add(handle)
      return handle
    },
    clearTimeout(handle) {
      live.delete(handle)
      systemClock.clearTimeout(handle)
    },
    pending: () => live.size,
  }
}

/**
 * Node timers created from now on that have neither fired nor been cleared, by who created them
 * (from the creation stack). The emulator runs in this process too, so a plain count of active
 * timers would mix its pool and replication timers in; only supabase-js's are counted here
 * (the library's own timers all go through its injected clock, counted exactly by `countingClock`).
 */
function trackSupabaseTimers(): { pending(): number; stop(): void } {
  const live = new Set<number>()
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return
      const stack = new Error().stack ?? ''
      if (stack.includes('@supabase/')) live.add(id)
    },
    destroy(id) {
      live.delete(id)
    },
  })
  hook.enable()
  return { pending: () => live.size, stop: () => hook.disable() }
}

/** One real client, `count` subscriptions on distinct topics: sockets while subscribed, timers after `stop()`. */
async function libraryResources(emulator: RealtimeEmulator, count: number, settleMs: number) {
  const supabaseTimers = trackSupabaseTimers()
  const counter = wireCounter()
  const client = createClient(emulator.url, emulator.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: countingWebSocket(counter) },
  })
  const clock = countingClock()
  const realtime = createRealtime({ client, env: benchEnv({ clock }) })
  const store = configureStore({
    reducer: { realtime: realtime.reducer },
    middleware: (gDM) => gDM({ serializableCheck: false, immutableCheck: false }).concat(realtime.middleware),
  })
  const stop = realtime.start(store)
  for (let index = 0; index < count; index += 1)
    realtime.subscribe({ topic: `resources-${index}`, postgres: [BINDING] })
  const subscribed = () =>
    Object.values(realtime.selectors.selectChannels(store.getState())).filter(
      (channel) => channel.state === 'subscribed',
    ).length
  const all = await waitUntil(() => subscribed() === count, 30_000)
  if (!all) throw new Error(`memory bench: ${subscribed()}/${count} subscriptions joined within 30 s`)
  const sockets = counter.open
  const socketAttempts = counter.connectAttempts.length
  const libraryTimersWhileRunning = clock.pending()
  // Stop with every subscription still live (a store torn down with the page), then let closes settle.
  stop()
  await sleep(settleMs)
  const result = {
    subscriptions: count,
    socketsOpen: sockets,
    socketsOpened: socketAttempts,
    libraryTimersWhileRunning,
    libraryTimersAfterStop: clock.pending(),
    supabaseTimersAfterStop: supabaseTimers.pending(),
    socketsOpenAfterStop: counter.open,
  }
  supabaseTimers.stop()
  await client.removeAllChannels().catch(() => undefined)
  await client.realtime.disconnect().catch(() => undefined)
  return result
}

/** The baseline: the same subscriptions as plain supabase-js channels, torn down with `removeAllChannels()`. */
async function stockResources(emulator: RealtimeEmulator, count: number, settleMs: number) {
  const supabaseTimers = trackSupabaseTimers()
  const counter = wireCounter()
  const client = createClient(emulator.url, emulator.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: countingWebSocket(counter) },
  })
  let joined = 0
  for (let index = 0; index < count; index += 1) {
    client
      .channel(`stock-resources-${index}`)
      .on('postgres_changes', BINDING, () => undefined)
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') joined += 1
      })
  }
  const all = await waitUntil(() => joined >= count, 30_000)
  if (!all) throw new Error(`memory bench: ${joined}/${count} stock channels joined within 30 s`)
  const sockets = counter.open
  await client.removeAllChannels()
  await sleep(settleMs)
  const result = {
    subscriptions: count,
    socketsOpen: sockets,
    supabaseTimersAfterRemoveAll: supabaseTimers.pending(),
    socketsOpenAfterRemoveAll: counter.open,
  }
  supabaseTimers.stop()
  await client.realtime.disconnect().catch(() => undefined)
  return result
}

export async function runMemoryBench(
  emulator: RealtimeEmulator,
  { quick }: { quick: boolean },
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const cycles = quick ? 2_000 : 10_000
  const heap = await heapGrowth(cycles, quick ? 1_000 : 2_000)
  const settleMs = quick ? 1_000 : 1_500
  const library = await libraryResources(emulator, 100, settleMs)
  const stock = await stockResources(emulator, 100, settleMs)
  const figures: Figure[] = [
    {
      section: 'memory',
      name: `heap growth after ${cycles.toLocaleString('en-US')} subscribe/unsubscribe cycles (after GC)`,
      value: round(heap.growthBytes / 1000, 1),
      unit: 'kB',
      target: { op: '<', value: 1000 },
    },
    {
      section: 'memory',
      name: 'sockets per client with 100 subscriptions',
      value: library.socketsOpen,
      unit: '',
      baseline: { label: 'stock supabase-js, 100 channels', value: stock.socketsOpen },
      target: { op: '==', value: 1 },
    },
    {
      section: 'memory',
      name: 'library timers pending after stop()',
      value: library.libraryTimersAfterStop,
      unit: '',
      target: { op: '==', value: 0 },
    },
    {
      section: 'memory',
      name: `supabase-js's own timers pending ${settleMs / 1000} s after stop()`,
      value: library.supabaseTimersAfterStop,
      unit: '',
      baseline: {
        label: `stock supabase-js ${settleMs / 1000} s after removeAllChannels()`,
        value: stock.supabaseTimersAfterRemoveAll,
      },
    },
  ]
  return {
    figures,
    details: {
      setup:
        'heap: fake transport + fake clock (test/support), real store, sagas, router and RTK Query api, one anchor subscription kept, warm-up cycles first, each cycle a new topic (debounced join, unsubscribe, grace period, removal); sockets/timers: a real supabase-js client on the emulator with 100 subscriptions on distinct topics, stopped while subscribed',
      heap,
      library,
      stock,
    },
  }
}
