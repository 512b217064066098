/**
 * The pieces of the freshness-bound tests: the library with its DEFAULT timing (the bounds are
 * the product's promise, so nothing is tuned), a writer that commits rows with SQL on a
 * schedule, and the ledger that records when the cache first showed each write. Wall-clock on
 * purpose: the bounds are real seconds, like the end-to-end tests.
 */
import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import type { SupabaseClient } from '@supabase/supabase-js'
import type pg from 'pg'
import { createRealtime } from '../../src/core/createRealtime'
import type { LogLevel } from '../../src/env/logger'
import { constantSignal } from '../../src/env/signal'
import { defineRoutes } from '../../src/router/defineRoutes'
import type { RealtimeState } from '../../src/slice/state'
import { sleep } from '../support/waitFor'
import type { Item, WriteLedger } from './chaosSupport'
import { stopLibrary } from './emulatorLibrary'

/** The project the ledger files every todo under (there is one query). */
export const PROJECT = 1

/** A change the library delivered to the subscription's `onMessage`: the title it carried, when it arrived. */
export interface Delivered {
  title: string | null
  at: number
}

export interface DefaultLibrary {
  state(): RealtimeState
  cachedTodos(): Item[] | undefined
  /** Every change that reached the subscription over realtime. */
  delivered: Delivered[]
  /** Every state the `todos` channel went through, repeats collapsed. */
  channelStates: string[]
  /** Lines the library logged at error level. */
  errors: string[]
  stop(): Promise<void>
}

/**
 * The library with its default options (only visibility and online are pinned to true, as a
 * visible tab on a network), subscribed to `todos`, with one todos query that reads through
 * `reads` (PostgREST). `client` is the one the library owns the realtime connection of.
 */
export function startDefaultLibrary(client: SupabaseClient, reads: SupabaseClient = client): DefaultLibrary {
  const api = createApi({
    reducerPath: 'todosApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Todos'],
    endpoints: (build) => ({
      todos: build.query<Item[], void>({
        queryFn: async () => {
          const { data, error } = await reads.from('todos').select('id,title').order('id')
          return error ? { error: { message: error.message } } : { data: data as Item[] }
        },
        providesTags: ['Todos'],
      }),
    }),
  })
  const routes = defineRoutes<typeof api>()([{ on: { table: 'todos' }, tags: () => ['Todos'] }])
  const errors: string[] = []
  const realtime = createRealtime({
    client,
    api,
    routes,
    env: {
      visibility: constantSignal(true),
      online: constantSignal(true),
      logSink: (level: LogLevel, line: string) => void (level === 'error' && errors.push(line)),
      logLevel: 'warn',
    },
  })
  const store = configureStore({
    reducer: { todosApi: api.reducer, realtime: realtime.reducer },
    middleware: (gDM) =>
      gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware, realtime.middleware),
  })
  const state = () => realtime.selectors.selectRealtimeState(store.getState())
  const channelStates: string[] = []
  store.subscribe(() => {
    const channel = state().channels.todos?.state
    if (channel !== undefined && channelStates.at(-1) !== channel) channelStates.push(channel)
  })
  const delivered: Delivered[] = []
  const stopSaga = realtime.start(store)
  const query = store.dispatch(api.endpoints.todos.initiate())
  const handle = realtime.subscribe({
    topic: 'todos',
    postgres: [{ event: '*', schema: 'public', table: 'todos' }],
    tags: ['Todos'],
    onMessage: (event) => {
      if (event.kind !== 'postgres_changes') return
      const row = event.new ?? event.old
      delivered.push({ title: typeof row?.title === 'string' ? row.title : null, at: performance.now() })
    },
  })
  return {
    state,
    cachedTodos: () => api.endpoints.todos.select()(store.getState() as never).data,
    delivered,
    channelStates,
    errors,
    stop: () =>
      stopLibrary(
        client,
        () => handle.unsubscribe(),
        () => query.unsubscribe(),
        stopSaga,
      ),
  }
}

/** Whether realtime is up as the library sees it: connected, and the todos channel subscribed. */
export const realtimeUp = (library: DefaultLibrary): boolean =>
  library.state().connection === 'connected' && library.state().channels.todos?.state === 'subscribed'

/**
 * Commits a todo write every `everyMs` (insert, update, delete in turn, so every kind of change
 * is covered) until `until()` says stop, recording each in `ledger` with the time it committed.
 */
export async function writeUntil(
  writer: pg.Client,
  ledger: WriteLedger,
  until: () => boolean,
  everyMs: number,
): Promise<void> {
  while (!until()) {
    const rows = [...ledger.rows.get(PROJECT)!.keys()]
    const title = `w${ledger.writes.length + 1}`
    const turn = ledger.writes.length % 3
    if (turn === 2 && rows.length > 1) {
      const id = rows[0]!
      await writer.query('delete from todos where id = $1', [id])
      ledger.record({ op: 'delete', project: PROJECT, id, title: null, committedAt: performance.now() })
    } else if (turn === 1 && rows.length > 0) {
      const id = rows.at(-1)!
      await writer.query('update todos set title = $2 where id = $1', [id, title])
      ledger.record({ op: 'update', project: PROJECT, id, title, committedAt: performance.now() })
    } else {
      const { rows: inserted } = await writer.query<{ id: number }>(
        'insert into todos (title) values ($1) returning id::int as id',
        [title],
      )
      ledger.record({ op: 'insert', project: PROJECT, id: inserted[0]!.id, title, committedAt: performance.now() })
    }
    await sleep(everyMs)
  }
}

/** Watches the cache every 50 ms, marking the writes it shows; returns the stop. */
export function watchCache(library: DefaultLibrary, ledger: WriteLedger): () => void {
  const cacheOf = () => library.cachedTodos()
  const sample = () => ledger.observe(cacheOf, performance.now())
  const timer = setInterval(sample, 50)
  return () => {
    sample()
    clearInterval(timer)
  }
}

/** The writes that took longer than `boundMs` to reach the cache (or have not yet), as readable lines. */
export function lateWrites(ledger: WriteLedger, boundMs: number, now: number): string[] {
  return ledger.writes
    .filter((write) => (write.reflectedAt ?? now) - write.committedAt > boundMs)
    .map(
      (write) =>
        `${write.op} #${write.id} (${write.title ?? 'deleted'}): ${write.reflectedAt === null ? 'never' : `${Math.round(write.reflectedAt - write.committedAt)} ms`}`,
    )
}

/** The todos as the database has them, in the cache's shape. */
export async function databaseItems(writer: pg.Client): Promise<Item[]> {
  const { rows } = await writer.query<Item>('select id::int as id, title from todos order by id')
  return rows
}
