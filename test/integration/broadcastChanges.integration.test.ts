/**
 * Broadcast from Database as the library's source, end to end: the emulator on a real Postgres
 * running the SQL `broadcastChangesSql` writes, the real supabase-js client on a private topic,
 * RTK Query reading through PostgREST, and a patch route. Changes reach patch mode; a gap is
 * repaired by replay with no refetch; a replay over its limit, and a public topic, fall back to
 * one refetch. Real timers; every wait polls the store with a deadline.
 */
import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import type { LogLevel } from '../../src/env/logger'
import { constantSignal } from '../../src/env/signal'
import { defineRoutes } from '../../src/router/defineRoutes'
import { broadcastChangesSql } from '../../src/sql/broadcastChangesSql'
import type { SubscriptionSpec } from '../../src/subscription/spec'
import { startRealtimeEmulator, type RealtimeEmulator } from '../../src/testing'
import { waitFor } from '../support/waitFor'
import { countedRead, emulatorClient, sql, stopLibrary } from './emulatorLibrary'

const SETUP_SQL = `
  create role anon nologin;
  create role authenticated nologin;
  create table docs (id bigint primary key, project_id int not null, title text not null);
  alter table docs replica identity full;
  grant select on docs to anon, authenticated;
  ${broadcastChangesSql({ table: 'docs', topic: { prefix: 'project:', column: 'project_id' } })}
`

interface Doc {
  id: number
  project_id: number
  title: string
}

const WAIT = { timeoutMs: 20_000, intervalMs: 20 }
const PRIVATE_SPEC: SubscriptionSpec = {
  topic: 'project:1',
  private: true,
  changes: { via: 'broadcast', tables: ['docs'] },
  tags: [{ type: 'Docs', id: 'project:1' }],
}
const PUBLIC_SPEC: SubscriptionSpec = {
  topic: 'docs:public',
  postgres: [{ event: '*', schema: 'public', table: 'docs', filter: 'project_id=eq.1' }],
  tags: [{ type: 'Docs', id: 'project:1' }],
}

function createDocsApi(client: SupabaseClient, counter: { fetches: number }) {
  return createApi({
    reducerPath: 'docsApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Docs'],
    endpoints: (build) => ({
      docs: build.query<Doc[], number>({
        queryFn: countedRead<Doc, number>(counter, (projectId) =>
          client.from('docs').select('id,project_id,title').eq('project_id', projectId).order('id'),
        ),
        providesTags: (_result, _error, projectId) => [{ type: 'Docs', id: `project:${projectId}` }],
      }),
    }),
  })
}

function startDocsLibrary(emulator: RealtimeEmulator, spec: SubscriptionSpec) {
  const client = emulatorClient(emulator, {}, emulator.tokenSource())
  const counter = { fetches: 0 }
  const api = createDocsApi(client, counter)
  const routes = defineRoutes<typeof api>()([
    {
      on: { table: 'docs' },
      patch: {
        endpoint: 'docs',
        args: (e) => Number((e.new ?? e.old)?.project_id),
        key: 'id',
        sort: (a, b) => a.id - b.id,
      },
      fallbackTags: (e) => [{ type: 'Docs', id: `project:${(e.new ?? e.old)?.project_id}` }],
    },
  ])
  const problems: string[] = []
  const realtime = createRealtime({
    client,
    api,
    routes,
    throttleMs: 50,
    retry: { baseDelay: 200, maxDelay: 500, maxRetries: 50, suspendedRetryMs: 1_000 },
    polling: { healthyMs: 0 },
    env: {
      visibility: constantSignal(true),
      online: constantSignal(true),
      logSink: (level: LogLevel, line: string) => void (level === 'error' && problems.push(line)),
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
  const handle = realtime.subscribe(spec)
  const cached = () => api.endpoints.docs.select(1)(store.getState() as never)
  return {
    counter,
    problems,
    metrics: () => realtime.selectors.selectMetrics(store.getState()),
    channel: () => realtime.selectors.selectChannel(spec.topic)(store.getState()),
    cachedIds: () =>
      cached()
        .data?.map((doc) => doc.id)
        .join(',') ?? null,
    cachedDocs: () => cached().data,
    settled: () => cached().status === 'fulfilled',
    stop: () =>
      stopLibrary(
        client,
        () => handle.unsubscribe(),
        () => query.unsubscribe(),
        stopSaga,
      ),
  }
}

type Library = ReturnType<typeof startDocsLibrary>

describe('table changes by Broadcast from Database, through the library', () => {
  let emulator: RealtimeEmulator
  let library: Library | null = null

  beforeAll(async () => {
    emulator = await startRealtimeEmulator({ setupSql: SETUP_SQL })
  })
  afterEach(async () => {
    await library?.stop()
    library = null
    // Each test starts with no stored messages: a replay reaches back a margin before the gap.
    await sql(emulator, 'delete from docs; delete from realtime.messages')
    emulator.faults.reset()
  })
  afterAll(async () => {
    await emulator?.stop()
  })

  const databaseIds = async () =>
    (await sql(emulator, 'select id from docs where project_id = 1 order by id')).rows.map((row) => row.id).join(',')
  const databaseDocs = async () =>
    (await sql(emulator, 'select id::int, project_id, title from docs where project_id = 1 order by id')).rows

  /** A library joined to `spec` whose list is fetched and whose first-join catch-up is done. */
  async function joined(spec: SubscriptionSpec): Promise<Library> {
    const lib = (library = startDocsLibrary(emulator, spec))
    await waitFor(() => lib.settled() && lib.channel()?.state === 'subscribed' && lib.counter.fetches === 2, {
      ...WAIT,
      message: 'the list is cached, the channel joined and the first-join catch-up refetched',
    })
    return lib
  }

  /** The socket drops and stays refused for a while; `write` runs meanwhile; the channel rejoins. */
  async function outage(lib: Library, write: () => Promise<void>) {
    emulator.faults.refuseConnections({ ms: 1_500 })
    emulator.faults.dropAllSockets()
    await waitFor(() => lib.channel()?.state !== 'subscribed', { ...WAIT, message: 'the channel saw the drop' })
    await write()
    await waitFor(() => lib.channel()?.state === 'subscribed' && lib.channel()?.joins === 2, {
      ...WAIT,
      message: 'the channel rejoined',
    })
  }

  it('takes the generated SQL again (re-runnable), for a schema-qualified table with its own policy condition', async () => {
    const migration = broadcastChangesSql({
      table: 'app.items',
      topic: 'items',
      policy: { using: "(current_setting('request.jwt.claims', true)::jsonb ->> 'sub') is not null" },
    })
    await sql(emulator, `create schema if not exists app; create table if not exists app.items (id int primary key)`)
    await sql(emulator, migration)
    await sql(emulator, migration)
    await sql(emulator, `insert into app.items values (1)`)
    const { rows } = await sql(emulator, `select topic, event, payload->>'table' as "table" from realtime.messages`)
    expect(rows).toEqual([{ topic: 'items', event: 'INSERT', table: 'items' }])
    const policies = await sql(emulator, `select policyname from pg_policies where tablename = 'messages' order by 1`)
    expect(policies.rows.map((row) => row.policyname)).toEqual([
      'app.items broadcast changes: read',
      'public.docs broadcast changes: read',
    ])
  })

  it('sends an UPDATE that moves a row to another project to both topics, and a DELETE to the old one', async () => {
    await sql(emulator, `insert into docs values (30, 1, 'moving')`)
    await sql(emulator, `update docs set project_id = 2 where id = 30`)
    await sql(emulator, `delete from docs where id = 30`)
    const { rows } = await sql(
      emulator,
      `select topic, event, payload->'record'->>'project_id' as "new", payload->'old_record'->>'project_id' as "old"
         from realtime.messages order by inserted_at, topic`,
    )
    expect(rows).toEqual([
      { topic: 'project:1', event: 'INSERT', new: '1', old: null },
      { topic: 'project:1', event: 'UPDATE', new: '2', old: '1' },
      { topic: 'project:2', event: 'UPDATE', new: '2', old: '1' },
      { topic: 'project:2', event: 'DELETE', new: null, old: '2' },
    ])
  })

  it('patches the cached list from a broadcast_changes trigger, with no refetch', async () => {
    const lib = await joined(PRIVATE_SPEC)
    await sql(emulator, `insert into docs values (1, 1, 'one'), (2, 1, 'two'), (3, 2, 'elsewhere')`)
    await waitFor(() => lib.cachedIds() === '1,2', { ...WAIT, message: 'the INSERTs are in the cached list' })
    await sql(emulator, `delete from docs where id = 1`)
    await waitFor(() => lib.cachedIds() === '2', { ...WAIT, message: 'the DELETE left the cached list' })
    expect(lib.counter.fetches).toBe(2)
    expect(lib.metrics()).toMatchObject({ rowsPatched: 3, patchFallbacks: 0, eventsMalformed: 0 })
    expect(lib.problems).toEqual([])
  })

  it('repairs a gap by replay: the writes of the outage are patched in and nothing is refetched', async () => {
    const lib = await joined(PRIVATE_SPEC)
    await outage(lib, async () => {
      await sql(emulator, `insert into docs values (10, 1, 'ten'), (11, 1, 'eleven')`)
      await sql(emulator, `update docs set title = 'TEN' where id = 10`)
    })
    await waitFor(() => lib.metrics().catchUpReplayed === 1, { ...WAIT, message: 'the replay completed' })
    expect(lib.cachedDocs()).toEqual(await databaseDocs())
    expect(lib.counter.fetches).toBe(2)
    expect(lib.metrics()).toMatchObject({ catchUpInvalidated: 0, messagesReplayed: 3 })
    expect(lib.channel()?.catchUp).toBe('replayed')
  })

  it('refetches when the replay reaches its limit: more was missed than it returns', async () => {
    const lib = await joined(PRIVATE_SPEC)
    await outage(lib, async () => {
      await sql(emulator, `insert into docs select n, 1, 'row ' || n from generate_series(100, 129) n`)
    })
    // The fallback refetch starts before the replayed batch is routed, so its patches wait for it and
    // ask for one more (nothing dropped, DESIGN §3.5): the list ends equal to the database.
    const expected = await databaseIds()
    await waitFor(() => lib.metrics().catchUpInvalidated === 1 && lib.settled() && lib.cachedIds() === expected, {
      ...WAIT,
      message: 'the overflowing replay fell back to a refetch',
    })
    expect(lib.counter.fetches).toBeGreaterThan(2)
    expect(lib.metrics()).toMatchObject({ catchUpReplayed: 0, messagesReplayed: 25 })
  })

  it('refetches once after the gap of a public postgres_changes topic (no replay there)', async () => {
    const lib = await joined(PUBLIC_SPEC)
    await outage(lib, async () => {
      await sql(emulator, `insert into docs values (20, 1, 'twenty')`)
    })
    await waitFor(() => lib.counter.fetches === 3 && lib.settled() && lib.cachedIds() === '20', {
      ...WAIT,
      message: 'the gap was refetched',
    })
    expect(lib.metrics()).toMatchObject({ catchUpReplayed: 0, catchUpInvalidated: 1, messagesReplayed: 0 })
  })
})
