/**
 * Cost per event as the app grows: the real InvalidationRouter in a real store with 100, 1,000
 * and 10,000 cached queries (100 of them subscribed), fed the same mixed stream at each size (events over 100,000
 * distinct tags, most of which no query provides; 1 % on tags of mounted queries; 10 % patch-mode
 * changes of cached lists, a third of them DELETEs). What the router does per event must not
 * grow with the number of mounted queries: the target is cost at 10,000 ≤ 2 × cost at 100.
 * Memory per mounted query is reported beside it (RTK Query's cache entry plus the library's share).
 */
import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { createRealtime, defineRoutes, type RealtimeEvent } from '../src/index'
import { FakeTransport } from '../test/support/fakeTransport'
import type { Figure } from './report'
import { benchEnv, now, round, sleep, tick } from './support'

const DISTINCT_TAGS = 100_000
const LISTS = 10
const ROWS_PER_LIST = 20
const BATCH = 100
/** Queries with a subscriber (the events' hits); the others of a size are cached entries without one. */
const SUBSCRIBED = 100

interface ListRow {
  id: number
  group: string
  v: number
}

function createScaleApi() {
  return createApi({
    reducerPath: 'scaleApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Item', 'List'],
    endpoints: (build) => ({
      item: build.query<number, number>({
        queryFn: (id) => ({ data: id }),
        providesTags: (_r, _e, id) => [{ type: 'Item', id }],
      }),
      list: build.query<ListRow[], string>({
        queryFn: (group) => ({
          data: Array.from({ length: ROWS_PER_LIST }, (_, index) => ({ id: listRowId(group, index), group, v: 0 })),
        }),
        providesTags: (_r, _e, group) => [{ type: 'List', id: group }],
      }),
    }),
  })
}
type ScaleApi = ReturnType<typeof createScaleApi>

const listRowId = (group: string, index: number) => Number(group.slice(1)) * 1_000 + index

function scaleRoutes() {
  return defineRoutes<ScaleApi>()([
    { on: { table: 'items' }, tags: (e) => [{ type: 'Item', id: Number((e.new ?? e.old)?.id) }] },
    {
      on: { table: 'rows' },
      patch: {
        endpoint: 'list',
        args: (e) => (e.new?.group as string | undefined) ?? undefined,
        key: 'id',
        version: 'v',
      },
      fallbackTags: (e) => [{ type: 'List', id: String((e.new ?? e.old)?.group) }],
    },
  ])
}

/** The same deterministic stream at every size. */
function mixedStream(count: number, at: number, withPatches: boolean): RealtimeEvent[] {
  const events: RealtimeEvent[] = []
  const change = (
    table: string,
    eventType: 'INSERT' | 'UPDATE' | 'DELETE',
    row: Record<string, unknown>,
    seq: number,
  ): RealtimeEvent => ({
    kind: 'postgres_changes',
    topic: 'scale',
    receivedAt: at,
    schema: 'public',
    table,
    eventType,
    commitTimestamp: new Date(1_700_000_000_000 + seq).toISOString(),
    new: eventType === 'DELETE' ? null : row,
    old: eventType === 'DELETE' ? { id: row.id } : null,
  })
  for (let i = 0; i < count; i += 1) {
    if (withPatches && i % 10 === 9) {
      const group = `g${i % LISTS}`
      const kind = i % 30 === 29 ? 'DELETE' : i % 30 === 19 ? 'INSERT' : 'UPDATE'
      const id = kind === 'INSERT' ? 1_000_000 + i : listRowId(group, i % ROWS_PER_LIST)
      events.push(change('rows', kind, { id, group, v: i }, i))
    } else if (i % 100 === 0) {
      events.push(change('items', 'UPDATE', { id: i % 100 }, i))
    } else {
      // Ids beyond every mounted query: throttle windows for 100,000 distinct tags, no refetch.
      events.push(change('items', 'UPDATE', { id: 10_000 + ((i * 7_919) % DISTINCT_TAGS) }, i))
    }
  }
  return events
}

function scaleStore() {
  const api = createScaleApi()
  const realtime = createRealtime({ transport: new FakeTransport(), api, routes: scaleRoutes(), env: benchEnv() })
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer, realtime: realtime.reducer },
    middleware: (gDM) =>
      gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware, realtime.middleware),
  })
  const stop = realtime.start(store)
  return { api, realtime, store, stop }
}

const heapUsed = () => {
  ;(globalThis as unknown as { gc: () => void }).gc()
  return process.memoryUsage().heapUsed
}

interface SizeResult {
  queries: number
  events: number
  nsPerEvent: number
  bytesPerQuery: number
}

async function measureSize(queries: number, events: number, withPatches = true): Promise<SizeResult> {
  const lib = scaleStore()
  const before = heapUsed()
  // The first 100 (the ones events hit) are subscribed; the rest enter the cache in one action, since
  // RTK Query's own cost of mounting 10,000 queries one by one grows quadratically (its state copies).
  const subscriptions: Array<{ unsubscribe(): void }> = []
  for (let id = 0; id < SUBSCRIBED; id += 1) subscriptions.push(lib.store.dispatch(lib.api.endpoints.item.initiate(id)))
  const cachedOnly = Array.from({ length: Math.max(0, queries - SUBSCRIBED) }, (_, index) => ({
    endpointName: 'item' as const,
    arg: SUBSCRIBED + index,
    value: SUBSCRIBED + index,
  }))
  if (cachedOnly.length > 0) lib.store.dispatch(lib.api.util.upsertQueryEntries(cachedOnly))
  for (let list = 0; list < LISTS; list += 1)
    subscriptions.push(lib.store.dispatch(lib.api.endpoints.list.initiate(`g${list}`)))
  await sleep(20)
  const bytesPerQuery = Math.round((heapUsed() - before) / (queries + LISTS))
  const actions = []
  const stream = mixedStream(events, Date.now(), withPatches)
  for (let i = 0; i < events; i += BATCH)
    actions.push(lib.realtime.events.eventsReceived({ events: stream.slice(i, i + BATCH), at: Date.now() }))
  const started = now()
  for (const action of actions) lib.store.dispatch(action)
  const ms = now() - started
  await tick()
  for (const subscription of subscriptions) subscription.unsubscribe()
  // RTK Query keeps every unused entry for 60 s behind a timer of its own (upserted ones too), and
  // those timers keep the store alive: 60 s later tens of thousands of removals, each an Immer copy
  // of a 10,000-entry cache, would stall whichever section is running then. Reset clears them.
  lib.store.dispatch(lib.api.util.resetApiState())
  lib.stop()
  await sleep(20)
  return { queries, events, nsPerEvent: Math.round((ms * 1e6) / events), bytesPerQuery }
}

/** Median of three runs per size, after a warm-up, so one GC pause does not decide the ratio. */
async function measure(queries: number, events: number, withPatches: boolean): Promise<SizeResult> {
  const runs: SizeResult[] = []
  for (let run = 0; run < 3; run += 1) runs.push(await measureSize(queries, events, withPatches))
  return runs.sort((a, b) => a.nsPerEvent - b.nsPerEvent)[1] as SizeResult
}

export async function runScaleBench({ quick }: { quick: boolean }): Promise<{ figures: Figure[]; details: unknown }> {
  const events = quick ? 5_000 : 20_000
  const sizes = [100, 1_000, 10_000]
  await measureSize(1_000, events)
  const results: SizeResult[] = []
  for (const queries of sizes) results.push(await measure(queries, events, true))
  // The same stream without patch events: no cache writes but the refetches of the 1 % hits, so
  // what grows with the cache here is the router's own work, not RTK Query's state copies.
  const tagsOnly: SizeResult[] = []
  for (const queries of [100, 10_000]) tagsOnly.push(await measure(queries, events, false))
  const [small, , large] = results as [SizeResult, SizeResult, SizeResult]
  const figures: Figure[] = results.map((result) => ({
    section: 'scale' as const,
    name: `router cost per event, ${result.queries.toLocaleString('en')} cached queries`,
    value: result.nsPerEvent,
    unit: 'ns/event',
  }))
  figures.push({
    section: 'scale',
    name: 'cost per event at 10,000 queries ÷ at 100',
    value: round(large.nsPerEvent / small.nsPerEvent, 2),
    unit: '×',
    target: { op: '<=', value: 2 },
  })
  const [tagsSmall, tagsLarge] = tagsOnly as [SizeResult, SizeResult]
  figures.push({
    section: 'scale',
    name: 'the same without patch events (no cache writes): 10,000 ÷ 100',
    value: round(tagsLarge.nsPerEvent / tagsSmall.nsPerEvent, 2),
    unit: '×',
    target: { op: '<=', value: 2 },
  })
  figures.push({
    section: 'scale',
    name: 'memory per cached query (10,000 cached)',
    value: large.bytesPerQuery,
    unit: 'B',
  })
  return {
    figures,
    details: {
      events,
      batch: BATCH,
      distinctTags: DISTINCT_TAGS,
      lists: LISTS,
      rowsPerList: ROWS_PER_LIST,
      results,
      tagsOnly,
    },
  }
}
