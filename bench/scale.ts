/**
 * Cost per event as the app grows: the real InvalidationRouter in a real store with 100, 1,000
 * and 10,000 cached queries (100 of them subscribed), fed the same mixed stream at each size (events over 100,000
 * distinct tags, most of which no query provides; 1 % on tags of mounted queries; 10 % patch-mode
 * changes of cached lists, a third of them DELETEs). What the router does per event must not
 * grow with the number of mounted queries: the target is cost at 10,000 ≤ 2 × cost at 100.
 * Memory per mounted query is reported beside it (RTK Query's cache entry plus the library's share).
 */
import { configureStore } from '@reduxjs/toolkit'
import { createRealtime } from '../src/index'
import { FakeTransport } from '../test/support/fakeTransport'
import type { Figure } from './report'
import { measureHandRolled } from './scaleBaseline'
import {
  BATCH,
  DISTINCT_TAGS,
  LISTS,
  ROWS_PER_LIST,
  createScaleApi,
  fillCache,
  mixedStream,
  scaleRoutes,
  type SizeResult,
} from './scaleFixture'
import { benchEnv, now, round, sleep, tick } from './support'

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

async function measureSize(queries: number, events: number, withPatches = true): Promise<SizeResult> {
  const lib = scaleStore()
  const before = heapUsed()
  const subscriptions = fillCache(lib.store, lib.api, queries)
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

/** Median of three runs, after a warm-up, so one GC pause does not decide the ratio. */
async function medianOf3(run: () => Promise<SizeResult>): Promise<SizeResult> {
  const runs: SizeResult[] = []
  for (let index = 0; index < 3; index += 1) runs.push(await run())
  return runs.sort((a, b) => a.nsPerEvent - b.nsPerEvent)[1] as SizeResult
}

const measure = (queries: number, events: number, withPatches: boolean) =>
  medianOf3(() => measureSize(queries, events, withPatches))

export async function runScaleBench({ quick }: { quick: boolean }): Promise<{ figures: Figure[]; details: unknown }> {
  const events = quick ? 5_000 : 20_000
  const sizes = [100, 1_000, 10_000]
  await measureSize(1_000, events)
  const results: SizeResult[] = []
  for (const queries of sizes) results.push(await measure(queries, events, true))
  // The same stream by hand: one updateQueryData or invalidateTags per event, without the library.
  await measureHandRolled(1_000, events)
  const byHand: SizeResult[] = []
  for (const queries of sizes) byHand.push(await medianOf3(() => measureHandRolled(queries, events)))
  // The same stream without patch events: no cache writes but the refetches of the 1 % hits, so
  // what grows with the cache here is the router's own work, not RTK Query's state copies.
  const tagsOnly: SizeResult[] = []
  for (const queries of [100, 10_000]) tagsOnly.push(await measure(queries, events, false))
  const [small, , large] = results as [SizeResult, SizeResult, SizeResult]
  const [handSmall, , handLarge] = byHand as [SizeResult, SizeResult, SizeResult]
  const figures: Figure[] = results.map((result, index) => ({
    section: 'scale' as const,
    name: `router cost per event, ${result.queries.toLocaleString('en')} cached queries`,
    value: result.nsPerEvent,
    unit: 'ns/event',
    baseline: { label: 'hand-rolled, one write per event', value: (byHand[index] as SizeResult).nsPerEvent },
  }))
  figures.push({
    section: 'scale',
    name: 'cost per event at 10,000 queries ÷ at 100',
    value: round(large.nsPerEvent / small.nsPerEvent, 2),
    unit: '×',
    baseline: { label: 'hand-rolled', value: round(handLarge.nsPerEvent / handSmall.nsPerEvent, 2) },
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
      byHand,
    },
  }
}
