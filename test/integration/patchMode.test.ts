/**
 * Patch mode end to end: the emulator on a real Postgres, the real supabase-js client, RTK Query
 * reading through PostgREST, and a patch route. INSERT and DELETE land in the cached list without
 * a refetch; an UPDATE whose payload lacks an unchanged TOAST-ed column (default replica
 * identity) falls back to one refetch. Real timers; every wait polls the store with a deadline.
 */
import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import type { LogLevel } from '../../src/env/logger'
import { constantSignal } from '../../src/env/signal'
import { defineRoutes } from '../../src/router/defineRoutes'
import { startRealtimeEmulator, type RealtimeEmulator } from '../../src/testing'
import type { PostgresChangesEvent, RealtimeEvent } from '../../src/events/events'
import { sleep, waitFor } from '../support/waitFor'
import { countedRead, emulatorClient, sql, stopLibrary } from './emulatorLibrary'

// Default replica identity (the primary key only), and `body` always stored out of line: an
// UPDATE that leaves it alone sends no value for it.
const SETUP_SQL = `
  create table docs (id bigint primary key, project_id int not null, title text not null, body text not null, updated_at timestamptz not null default now());
  alter table docs alter column body set storage external;
`

interface Doc {
  id: number
  project_id: number
  title: string
  body: string
  updated_at: string
}

const WAIT = { timeoutMs: 15_000, intervalMs: 20 }

function createDocsApi(client: SupabaseClient, counter: { fetches: number }) {
  return createApi({
    reducerPath: 'docsApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Docs'],
    endpoints: (build) => ({
      docs: build.query<Doc[], number>({
        queryFn: countedRead<Doc, number>(counter, (projectId) =>
          client.from('docs').select('id,project_id,title,body,updated_at').eq('project_id', projectId).order('id'),
        ),
        providesTags: (_result, _error, projectId) => [{ type: 'Docs', id: `project:${projectId}` }],
      }),
    }),
  })
}

function startPatchingLibrary(emulator: RealtimeEmulator) {
  const client = emulatorClient(emulator)
  const counter = { fetches: 0 }
  const api = createDocsApi(client, counter)
  const routes = defineRoutes<typeof api>()([
    {
      on: { table: 'docs' },
      patch: {
        endpoint: 'docs',
        args: (e) => (e.new?.project_id === undefined ? undefined : Number(e.new.project_id)),
        key: 'id',
        version: 'updated_at',
      },
      fallbackTags: (e) => [{ type: 'Docs', id: `project:${e.new?.project_id ?? e.old?.project_id}` }],
    },
  ])
  const problems: string[] = []
  const realtime = createRealtime({
    client,
    api,
    routes,
    throttleMs: 50,
    polling: { healthyMs: 0 },
    env: {
      visibility: constantSignal(true),
      online: constantSignal(true),
      logSink: (level: LogLevel, line: string) => void ((level === 'error' || level === 'warn') && problems.push(line)),
      logLevel: 'warn',
    },
  })
  const store = configureStore({
    reducer: { docsApi: api.reducer, realtime: realtime.reducer },
    middleware: (gDM) =>
      gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware, realtime.middleware),
  })
  const stopSaga = realtime.start(store)
  const query = store.dispatch(api.endpoints.docs.initiate(1))
  const events: PostgresChangesEvent[] = []
  const handle = realtime.subscribe({
    topic: 'docs',
    postgres: [{ event: '*', schema: 'public', table: 'docs' }],
    tags: [{ type: 'Docs', id: 'project:1' }],
    onMessage: (event: RealtimeEvent) => void (event.kind === 'postgres_changes' && events.push(event)),
  })
  return {
    counter,
    events,
    problems,
    metrics: () => realtime.selectors.selectMetrics(store.getState()),
    channel: () => realtime.selectors.selectChannel('docs')(store.getState()),
    cached: () => api.endpoints.docs.select(1)(store.getState() as never),
    stop: () =>
      stopLibrary(
        client,
        () => handle.unsubscribe(),
        () => query.unsubscribe(),
        stopSaga,
      ),
  }
}

describe('patch mode on the emulator, a real Postgres and the real supabase-js client', () => {
  let emulator: RealtimeEmulator
  let library: ReturnType<typeof startPatchingLibrary> | null = null

  beforeAll(async () => {
    emulator = await startRealtimeEmulator({ setupSql: SETUP_SQL })
  })
  afterAll(async () => {
    await library?.stop()
    await emulator?.stop()
  })

  it('patches INSERT and DELETE into the cached list with no refetch, and refetches once for an UPDATE that leaves a TOAST-ed column out', async () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    // About 6 kB of incompressible text: stored out of line, so an UPDATE that keeps it sends no value.
    await sql(
      emulator,
      `insert into docs (id, project_id, title, body) select 1, 1, 'one', string_agg(md5(random()::text), '') from generate_series(1, 200)`,
    )
    const lib = (library = startPatchingLibrary(emulator))
    await waitFor(() => lib.cached().status === 'fulfilled' && lib.channel()?.state === 'subscribed', {
      ...WAIT,
      message: 'the list is cached and the channel joined',
    })
    // The first join is a gap too: the list fetched before it is fetched once more (DESIGN §3.6).
    await waitFor(() => lib.counter.fetches === 2 && lib.cached().status === 'fulfilled', {
      ...WAIT,
      message: 'the first-join catch-up refetched the list',
    })
    const body = lib.cached().data![0]!.body
    expect(body.length).toBeGreaterThan(2_048)
    const afterJoin = lib.counter.fetches

    await sql(emulator, `insert into docs (id, project_id, title, body) values (2, 1, 'two', 'short')`)
    await waitFor(
      () =>
        lib
          .cached()
          .data?.map((doc) => doc.id)
          .join() === '1,2',
      { ...WAIT, message: 'the INSERT is in the cached list' },
    )
    expect(lib.cached().data![1]).toMatchObject({ id: 2, project_id: 1, title: 'two', body: 'short' })

    await sql(emulator, `delete from docs where id = 2`)
    await waitFor(
      () =>
        lib
          .cached()
          .data?.map((doc) => doc.id)
          .join() === '1',
      { ...WAIT, message: 'the DELETE left the cached list' },
    )
    expect(lib.counter.fetches).toBe(afterJoin)
    expect(lib.metrics()).toMatchObject({
      rowsPatched: 2,
      patchesStale: 0,
      patchFallbacks: 0,
      patchFallbacksByReason: {},
    })

    await sql(emulator, `update docs set title = 'renamed', updated_at = now() where id = 1`)
    await waitFor(
      () =>
        lib.counter.fetches === afterJoin + 1 &&
        lib.cached().status === 'fulfilled' &&
        lib.cached().data?.[0]?.title === 'renamed',
      {
        ...WAIT,
        message: 'the UPDATE refetched the list',
      },
    )
    const update = lib.events.find((event) => event.eventType === 'UPDATE')
    expect(update?.new).toMatchObject({ id: 1, title: 'renamed' })
    expect(update?.new && 'body' in update.new).toBe(false)
    expect(lib.cached().data![0]!.body).toBe(body)

    // Kept: a second refetch would come from the invalidation throttle's timer, which no frame orders.
    await sleep(300) // nothing else refetches
    expect(lib.counter.fetches).toBe(afterJoin + 1)
    expect(lib.metrics()).toMatchObject({
      eventsRouted: 3,
      eventsMalformed: 0,
      rowsPatched: 2,
      patchesStale: 0,
      patchFallbacks: 1,
      patchFallbacksByReason: { MISSING_COLUMNS: 1 },
    })
    expect(lib.problems).toEqual([])
  })
})
