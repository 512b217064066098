/**
 * Router throughput and burst coalescing, in process: the real InvalidationRouter (listener
 * middleware) in a real Redux store with a real RTK Query api and 50 routes. The transport is
 * the scripted fake of the test suite (test/support/fakeTransport.ts); time is the system clock.
 */
import { configureStore, createAction, createListenerMiddleware, type UnknownAction } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import {
  createRealtime,
  type BroadcastRoute,
  type PostgresChangesEvent,
  type PostgresRoute,
  type RealtimeEvent,
  type Route,
} from '../src/index'
import { FakeTransport } from '../test/support/fakeTransport'
import type { Figure } from './report'
import { benchEnv, now, round, sleep, tick, waitUntil } from './support'

const TABLES = 45
const BROADCASTS = 5
const PROJECTS = 100
/** Events per `eventsReceived` action in the batched run (a busy 16 ms frame). */
const BATCH = 100
/** How long one refetch of the benchmark's query takes. */
const FETCH_MS = 20
const HOT_KEY = 't00:hot'

interface Backend {
  /** performance.now() of every fetch start, by query key. */
  fetches: Map<string, number[]>
  latencyMs: number
}

function createBenchApi(backend: Backend) {
  return createApi({
    reducerPath: 'benchApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Row'],
    endpoints: (build) => ({
      rows: build.query<number, string>({
        queryFn: async (key) => {
          const list = backend.fetches.get(key) ?? []
          list.push(now())
          backend.fetches.set(key, list)
          if (backend.latencyMs > 0) await sleep(backend.latencyMs)
          return { data: list.length }
        },
        providesTags: (_result, _error, key) => [{ type: 'Row', id: key }],
      }),
    }),
  })
}
type BenchApi = ReturnType<typeof createBenchApi>

const rowTag = (table: string, project: unknown) => ({ type: 'Row' as const, id: `${table}:${String(project)}` })

/** 45 postgres_changes routes (one per table) and 5 broadcast routes. */
function benchRoutes(): Route<'Row'>[] {
  const routes: Route<'Row'>[] = []
  for (let t = 0; t < TABLES; t += 1) {
    const table = `t${String(t).padStart(2, '0')}`
    const route: PostgresRoute<'Row'> = { on: { table }, tags: (e) => [rowTag(table, (e.new ?? e.old)?.project_id)] }
    routes.push(route)
  }
  for (let b = 0; b < BROADCASTS; b += 1) {
    const name = `b${b}`
    const route: BroadcastRoute<'Row'> = {
      on: { broadcast: name },
      tags: (e) => [rowTag(name, (e.payload as { projectId?: unknown } | null)?.projectId)],
    }
    routes.push(route)
  }
  return routes
}

/** Deterministic mix: nine postgres changes for every broadcast, spread over 50 sources × 100 projects. */
function makeEvents(count: number, at: number): RealtimeEvent[] {
  const events: RealtimeEvent[] = []
  for (let i = 0; i < count; i += 1) {
    const project = `p${(i * 7919) % PROJECTS}`
    if (i % 10 === 9) {
      events.push({
        kind: 'broadcast',
        topic: 'bench',
        receivedAt: at,
        event: `b${i % BROADCASTS}`,
        payload: { projectId: project },
      })
    } else {
      const table = `t${String((i * 31) % TABLES).padStart(2, '0')}`
      events.push({
        kind: 'postgres_changes',
        topic: 'bench',
        receivedAt: at,
        schema: 'public',
        table,
        eventType: 'UPDATE',
        commitTimestamp: null,
        new: { id: i, project_id: project },
        old: null,
      })
    }
  }
  return events
}

function libraryStore(backend: Backend) {
  const api = createBenchApi(backend)
  const transport = new FakeTransport()
  const realtime = createRealtime({ transport, api, routes: benchRoutes(), env: benchEnv() })
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer, realtime: realtime.reducer },
    middleware: (gDM) =>
      gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware, realtime.middleware),
  })
  const stop = realtime.start(store)
  return { api, transport, realtime, store, stop }
}

/** The baseline: a listener that invalidates the event's tags on every single event. */
function naiveStore(backend: Backend) {
  const api = createBenchApi(backend)
  const eventArrived = createAction<RealtimeEvent>('naive/eventArrived')
  const byTable = new Map<string, Route<'Row'>>()
  for (const route of benchRoutes()) byTable.set('table' in route.on ? route.on.table : route.on.broadcast, route)
  const listener = createListenerMiddleware()
  listener.startListening({
    actionCreator: eventArrived,
    effect: (action, listenerApi) => {
      const event = action.payload
      const route = byTable.get(event.kind === 'broadcast' ? event.event : event.table)
      if (!route) return
      const tags = (route.tags as (e: RealtimeEvent) => Array<{ type: 'Row'; id: string }>)(event)
      listenerApi.dispatch(api.util.invalidateTags(tags))
    },
  })
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer },
    middleware: (gDM) =>
      gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware, listener.middleware),
  })
  return { api, store, eventArrived, stop: () => listener.clearListeners() }
}

/** Mounts one query per tag of the first ten tables × ten projects (100 live cache entries). */
function mountQueries(api: BenchApi, store: { dispatch: (action: never) => unknown }) {
  const subscriptions: Array<{ unsubscribe(): void }> = []
  for (let t = 0; t < 10; t += 1) {
    for (let p = 0; p < 10; p += 1) {
      const key = `t${String(t).padStart(2, '0')}:p${(p * 7919) % PROJECTS}`
      subscriptions.push(store.dispatch(api.endpoints.rows.initiate(key) as never) as { unsubscribe(): void })
    }
  }
  return () => subscriptions.forEach((subscription) => subscription.unsubscribe())
}

interface ThroughputResult {
  events: number
  ms: number
  eventsPerSecond: number
  nsPerEvent: number
}

async function timeDispatches(run: () => void, events: number): Promise<ThroughputResult> {
  const started = now()
  run()
  await tick()
  const ms = now() - started
  return {
    events,
    ms: round(ms, 2),
    eventsPerSecond: Math.round((events / ms) * 1000),
    nsPerEvent: Math.round((ms * 1e6) / events),
  }
}

async function libraryThroughput(total: number, batch: number): Promise<ThroughputResult> {
  const backend: Backend = { fetches: new Map(), latencyMs: 0 }
  const lib = libraryStore(backend)
  const unmount = mountQueries(lib.api, lib.store)
  await sleep(20)
  const events = makeEvents(total, Date.now())
  const actions: UnknownAction[] = []
  for (let i = 0; i < total; i += batch)
    actions.push(lib.realtime.events.eventsReceived({ events: events.slice(i, i + batch), at: Date.now() }))
  const result = await timeDispatches(() => {
    for (const action of actions) lib.store.dispatch(action)
  }, total)
  unmount()
  lib.stop()
  return result
}

async function naiveThroughput(total: number): Promise<ThroughputResult> {
  const backend: Backend = { fetches: new Map(), latencyMs: 0 }
  const naive = naiveStore(backend)
  const unmount = mountQueries(naive.api, naive.store)
  await sleep(20)
  const actions = makeEvents(total, Date.now()).map((event) => naive.eventArrived(event))
  const result = await timeDispatches(() => {
    for (const action of actions) naive.store.dispatch(action)
  }, total)
  unmount()
  naive.stop()
  await sleep(50)
  return result
}

interface BurstResult {
  events: number
  durationMs: number
  refetches: number
  refetchesPer1000Events: number
  /** Most refetches that started in any one-second window. */
  peakRefetchesPerSecond: number
  meanRefetchesPerSecond: number
}

function peakInWindow(times: number[], windowMs: number): number {
  let peak = 0
  let start = 0
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start += 1
    peak = Math.max(peak, end - start + 1)
  }
  return peak
}

/** Emits `rate` events per second on one hot tag for `durationMs` of real time through `emit`. */
async function drive(emit: (seq: number) => void, rate: number, durationMs: number): Promise<number> {
  const started = now()
  let sent = 0
  for (;;) {
    const elapsed = now() - started
    const due = Math.min(Math.floor((elapsed * rate) / 1000), Math.floor((durationMs * rate) / 1000))
    while (sent < due) emit(sent++)
    if (elapsed >= durationMs) return sent
    await sleep(2)
  }
}

function hotEvent(seq: number): PostgresChangesEvent {
  return {
    kind: 'postgres_changes',
    topic: 'hot',
    receivedAt: Date.now(),
    schema: 'public',
    table: 't00',
    eventType: 'UPDATE',
    commitTimestamp: null,
    new: { id: seq, project_id: 'hot' },
    old: null,
  }
}

function burstResult(backend: Backend, events: number, from: number, durationMs: number): BurstResult {
  const refetchTimes = (backend.fetches.get(HOT_KEY) ?? []).filter((time) => time >= from)
  return {
    events,
    durationMs,
    refetches: refetchTimes.length,
    refetchesPer1000Events: round((refetchTimes.length / events) * 1000, 1),
    peakRefetchesPerSecond: peakInWindow(refetchTimes, 1000),
    meanRefetchesPerSecond: round(refetchTimes.length / (durationMs / 1000), 2),
  }
}

/** The whole pipeline: fake socket → channel saga → 16 ms batches → router → throttle → RTK Query. */
async function libraryBurst(rate: number, durationMs: number, trailingMs: number): Promise<BurstResult> {
  const backend: Backend = { fetches: new Map(), latencyMs: FETCH_MS }
  const lib = libraryStore(backend)
  const query = lib.store.dispatch(lib.api.endpoints.rows.initiate(HOT_KEY))
  const handle = lib.realtime.subscribe({
    topic: 'hot',
    postgres: [{ event: '*', schema: 'public', table: 't00' }],
    tags: [rowTag('t00', 'hot')],
  })
  const joined = await waitUntil(
    () => lib.realtime.selectors.selectChannel('hot')(lib.store.getState())?.state === 'subscribed',
    5_000,
  )
  if (!joined) throw new Error('router bench: the hot topic never joined on the fake transport')
  await sleep(100)
  const from = now()
  const events = await drive((seq) => lib.transport.emitEvent(hotEvent(seq)), rate, durationMs)
  await sleep(trailingMs) // the trailing invalidation of the last window
  const result = burstResult(backend, events, from, durationMs)
  handle.unsubscribe()
  query.unsubscribe()
  lib.stop()
  return result
}

async function naiveBurst(rate: number, durationMs: number, trailingMs: number): Promise<BurstResult> {
  const backend: Backend = { fetches: new Map(), latencyMs: FETCH_MS }
  const naive = naiveStore(backend)
  const query = naive.store.dispatch(naive.api.endpoints.rows.initiate(HOT_KEY))
  await sleep(100)
  const from = now()
  const events = await drive((seq) => naive.store.dispatch(naive.eventArrived(hotEvent(seq))), rate, durationMs)
  await sleep(trailingMs)
  const result = burstResult(backend, events, from, durationMs)
  query.unsubscribe()
  naive.stop()
  return result
}

export async function runRouterBench({
  quick,
}: {
  quick: boolean
}): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const batchedEvents = quick ? 30_000 : 300_000
  const unbatchedEvents = quick ? 5_000 : 100_000
  const naiveEvents = quick ? 5_000 : 50_000
  const burstMs = quick ? 1_200 : 5_000
  const trailingMs = quick ? 700 : 1_000

  // Warm-up on throwaway instances: the JIT, not the throttle state, carries over.
  await libraryThroughput(quick ? 5_000 : 20_000, BATCH)
  await libraryThroughput(quick ? 1_000 : 5_000, 1)
  await naiveThroughput(quick ? 1_000 : 5_000)

  const batched = await libraryThroughput(batchedEvents, BATCH)
  const unbatched = await libraryThroughput(unbatchedEvents, 1)
  const naive = await naiveThroughput(naiveEvents)
  const burst = await libraryBurst(1_000, burstMs, trailingMs)
  const naiveHot = await naiveBurst(1_000, burstMs, trailingMs)

  const figures: Figure[] = [
    {
      section: 'router',
      name: `events/s routed, batched (${BATCH} events/action)`,
      value: batched.eventsPerSecond,
      unit: 'events/s',
      baseline: { label: 'naive invalidate-every-event listener', value: naive.eventsPerSecond },
      target: { op: '>=', value: 200_000 },
    },
    {
      section: 'router',
      name: `ns per event, batched (${BATCH} events/action)`,
      value: batched.nsPerEvent,
      unit: 'ns',
      baseline: { label: 'naive listener', value: naive.nsPerEvent },
    },
    {
      section: 'router',
      name: 'events/s routed, unbatched (1 event/action)',
      value: unbatched.eventsPerSecond,
      unit: 'events/s',
      baseline: { label: 'naive invalidate-every-event listener', value: naive.eventsPerSecond },
      // The goal of issue 17 (one event per action is the common path now that the first event after a quiet frame goes out alone).
      target: { op: '>=', value: 100_000 },
    },
    {
      section: 'router',
      name: 'ns per event, unbatched (1 event/action)',
      value: unbatched.nsPerEvent,
      unit: 'ns',
      baseline: { label: 'naive listener', value: naive.nsPerEvent },
    },
    {
      section: 'router',
      name: 'refetches per 1,000 events, one hot tag at 1,000 events/s',
      value: burst.refetchesPer1000Events,
      unit: 'refetches',
      baseline: { label: 'naive invalidate-every-event listener', value: naiveHot.refetchesPer1000Events },
    },
    {
      section: 'router',
      name: 'peak refetches in any 1 s, one hot tag at 1,000 events/s',
      value: burst.peakRefetchesPerSecond,
      unit: 'refetches/s',
      baseline: { label: 'naive invalidate-every-event listener', value: naiveHot.peakRefetchesPerSecond },
      target: { op: '<=', value: 3 },
    },
  ]
  return {
    figures,
    details: {
      setup: `${TABLES} postgres_changes routes + ${BROADCASTS} broadcast routes over ${PROJECTS} projects; 100 mounted queries; RTK Query queryFn resolves at once (throughput) or after ${FETCH_MS} ms (burst); library defaults (batchMs 16, throttleMs 500)`,
      batched,
      unbatched,
      naive,
      burst: { library: burst, naive: naiveHot },
    },
  }
}
