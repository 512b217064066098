/**
 * Refetches after a gap, replay vs invalidation, on the local realtime emulator: one real
 * supabase-js client with 20 private topics whose rows arrive by Broadcast from Database (the
 * triggers `broadcastChangesSql` writes), one mounted list per topic, patch routes. The
 * emulator drops the socket and refuses it for the outage; 50 writes spread over the topics
 * land meanwhile. Counted: list fetches from the reconnect until every cache equals the database.
 *
 * - replay:     the rejoins ask for `config.broadcast.replay` (the default for such topics).
 * - invalidate: the same topics with `changes.replay: false`: every gap refetches the topic's tags.
 */
import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import pg from 'pg'
import { broadcastChangesSql, createRealtime, defineRoutes } from '../src/index'
import { startRealtimeEmulator, type RealtimeEmulator } from '../src/testing/index'
import type { Figure } from './report'
import { benchEnv, countingWebSocket, now, round, sleep, waitUntil, wireCounter } from './support'

type Variant = 'replay' | 'invalidate'
interface Item {
  id: number
  topic_id: number
  title: string
}

const TOPICS = 20
const WRITES = 50

const SETUP_SQL = `
  create role anon nologin;
  create role authenticated nologin;
  create table gap_items (id bigint primary key, topic_id int not null, title text not null);
  grant select on gap_items to anon, authenticated;
  ${broadcastChangesSql({ table: 'gap_items', topic: { prefix: 'gap:', column: 'topic_id' } })}
`

async function query(emulator: RealtimeEmulator, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: emulator.databaseUrl })
  await client.connect()
  try {
    return await client.query(text)
  } finally {
    await client.end()
  }
}

function itemsApi(client: SupabaseClient, counter: { fetches: number; startedAt: number[] }) {
  return createApi({
    reducerPath: 'gapItems',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Items'],
    endpoints: (build) => ({
      items: build.query<Item[], number>({
        queryFn: async (topicId) => {
          counter.fetches += 1
          counter.startedAt.push(Date.now()) // the library's clock in a real app: its connectedAt compares
          const { data, error } = await client.from('gap_items').select('id,topic_id,title').eq('topic_id', topicId)
          return error ? { error: { message: error.message } } : { data: data as Item[] }
        },
        providesTags: (_result, _error, topicId) => [{ type: 'Items', id: topicId }],
      }),
    }),
  })
}

/** One client with `TOPICS` private topics (ids from `firstTopic`), each list mounted and subscribed. */
function startClient(emulator: RealtimeEmulator, variant: Variant, firstTopic: number) {
  const client = createClient(emulator.url, emulator.anonKey, {
    accessToken: emulator.tokenSource(),
    realtime: { transport: countingWebSocket(wireCounter()) },
  })
  const counter = { fetches: 0, startedAt: [] as number[] }
  const api = itemsApi(client, counter)
  const routes = defineRoutes<typeof api>()([
    {
      on: { table: 'gap_items' },
      patch: { endpoint: 'items', args: (e) => Number((e.new ?? e.old)?.topic_id), key: 'id' },
      fallbackTags: (e) => [{ type: 'Items', id: Number((e.new ?? e.old)?.topic_id) }],
    },
  ])
  const realtime = createRealtime({
    client,
    api,
    routes,
    retry: { baseDelay: 500, maxDelay: 2_000, maxRetries: 100, suspendedRetryMs: 2_000 },
    polling: { healthyMs: 0 },
    env: benchEnv(),
  })
  const store = configureStore({
    reducer: { gapItems: api.reducer, realtime: realtime.reducer },
    middleware: (gDM) =>
      gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware, realtime.middleware),
  })
  const stopSaga = realtime.start(store)
  const topicIds = Array.from({ length: TOPICS }, (_, index) => firstTopic + index)
  const releases = topicIds.flatMap((topicId) => {
    const mounted = store.dispatch(api.endpoints.items.initiate(topicId))
    const handle = realtime.subscribe({
      topic: `gap:${topicId}`,
      private: true,
      changes: { via: 'broadcast', tables: ['gap_items'], replay: variant === 'replay' },
      tags: [{ type: 'Items', id: topicId }],
    })
    return [() => mounted.unsubscribe(), () => handle.unsubscribe()]
  })
  const cached = (topicId: number) => api.endpoints.items.select(topicId)(store.getState() as never)
  const state = () => realtime.selectors.selectRealtimeState(store.getState())
  return {
    counter,
    topicIds,
    state,
    joinedTimes: (times: number) =>
      topicIds.every(
        (id) => state().channels[`gap:${id}`]?.state === 'subscribed' && state().channels[`gap:${id}`]!.joins >= times,
      ),
    settled: () => topicIds.every((id) => cached(id).status === 'fulfilled'),
    cachedRows: () =>
      topicIds.flatMap((id) => (cached(id).data ?? []).map((item) => `${item.id}:${item.title}`)).sort(),
    async stop() {
      for (const release of releases) release()
      stopSaga()
      await client.removeAllChannels().catch(() => undefined)
      await client.realtime.disconnect().catch(() => undefined)
    },
  }
}

async function databaseRows(emulator: RealtimeEmulator, topicIds: number[]): Promise<string[]> {
  const { rows } = await query(
    emulator,
    `select id, title from gap_items where topic_id between ${topicIds[0]} and ${topicIds.at(-1)}`,
  )
  return rows.map((row: { id: string; title: string }) => `${row.id}:${row.title}`).sort()
}

/** Runs one variant: joins, an outage with the writes, and the count of fetches until the caches equal the database. */
async function runVariant(emulator: RealtimeEmulator, variant: Variant, firstTopic: number, outageMs: number) {
  const lib = startClient(emulator, variant, firstTopic)
  try {
    if (!(await waitUntil(() => lib.joinedTimes(1) && lib.settled(), 30_000)))
      throw new Error(
        `bench replay (${variant}): the topics did not join: ${JSON.stringify(Object.values(lib.state().channels).map((c) => [c.state, c.lastError?.message]))}`,
      )
    await sleep(1_000) // the first joins' catch-up refetches settle
    await waitUntil(() => lib.settled(), 10_000)
    const beforeGap = lib.counter.fetches
    emulator.faults.refuseConnections({ ms: outageMs })
    emulator.faults.dropAllSockets()
    const outageStarted = now()
    for (let write = 0; write < WRITES; write += 1) {
      const topicId = firstTopic + (write % TOPICS)
      const id = firstTopic * 1_000 + write
      await query(emulator, `insert into gap_items values (${id}, ${topicId}, 'write ${write}')`)
      await sleep(outageMs / WRITES / 2)
    }
    const rejoined = await waitUntil(() => lib.joinedTimes(2), outageMs + 30_000)
    const metrics = () => lib.state().metrics
    await waitUntil(() => metrics().catchUpReplayed + metrics().catchUpInvalidated >= TOPICS, 10_000)
    const expected = await databaseRows(emulator, lib.topicIds)
    const converged = await waitUntil(
      () => lib.settled() && JSON.stringify(lib.cachedRows()) === JSON.stringify(expected),
      30_000,
    )
    await sleep(1_000) // a late refetch would still count
    return {
      rejoined,
      converged: converged && JSON.stringify(lib.cachedRows()) === JSON.stringify(expected),
      // Dead-mode polls during the outage are the same in both variants; the reconnect's cost is what starts after it.
      refetches: lib.counter.startedAt.filter((at) => at >= (metrics().connectedAt ?? Infinity)).length,
      refetchesDuringOutage:
        lib.counter.startedAt.filter((at) => at < (metrics().connectedAt ?? Infinity)).length - beforeGap,
      patchFallbacks: metrics().patchFallbacksByReason,
      outageS: round((now() - outageStarted) / 1000),
      catchUpReplayed: metrics().catchUpReplayed,
      catchUpInvalidated: metrics().catchUpInvalidated,
      messagesReplayed: metrics().messagesReplayed,
    }
  } finally {
    await lib.stop()
  }
}

/** The replay section: refetches at reconnect with replay vs with invalidation, and whether the caches equal the database. */
export async function runReplayBench({
  quick,
}: {
  quick: boolean
}): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  // Its own emulator: the roles that private channels' policies name must exist when it starts.
  const emulator = await startRealtimeEmulator({ setupSql: SETUP_SQL })
  const outageMs = quick ? 4_000 : 20_000
  let replay: Awaited<ReturnType<typeof runVariant>>
  let invalidate: Awaited<ReturnType<typeof runVariant>>
  try {
    replay = await runVariant(emulator, 'replay', 100, outageMs)
    invalidate = await runVariant(emulator, 'invalidate', 200, outageMs)
  } finally {
    await emulator.stop()
  }
  const label = `${TOPICS} topics, ${WRITES} writes in a ${outageMs / 1000} s outage`
  const figures: Figure[] = [
    {
      section: 'replay',
      name: `list refetches from the reconnect on (${label})`,
      value: replay.refetches,
      unit: 'refetches',
      baseline: { label: 'invalidation', value: invalidate.refetches },
      target: { op: '<=', value: 0 },
    },
    {
      section: 'replay',
      name: 'caches equal the database after the gap, replay / invalidation',
      value: replay.converged && invalidate.converged ? 1 : 0,
      unit: '',
      format: 'boolean',
      target: { op: '>=', value: 1 },
    },
  ]
  return { figures, details: { topics: TOPICS, writes: WRITES, outageMs, replay, invalidate } }
}
