/**
 * A page for the real-browser cross-tab test: a store with the library's source, a tiny RTK
 * Query api on a fake base query, and a transport whose socket never opens (realtime is down,
 * no Supabase needed). What the test reads is on `window.crossTabFixture`.
 */
import { configureStore, type Middleware, type Reducer } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { createRealtime, type RealtimeTransport } from '../../../src/index'
import { switchableTransport } from './switchableTransport'

const fetches: Record<string, number> = {}

const api = createApi({
  reducerPath: 'todoApi',
  baseQuery: fakeBaseQuery<{ message: string }>(),
  tagTypes: ['Todos'],
  endpoints: (build) => ({
    todos: build.query<string, string>({
      queryFn: (projectId) => {
        fetches[projectId] = (fetches[projectId] ?? 0) + 1
        return { data: `todos of ${projectId}` }
      },
      providesTags: (_result, _error, projectId) => [{ type: 'Todos', id: projectId }],
    }),
    addTodo: build.mutation<string, string>({
      queryFn: (projectId) => ({ data: `added to ${projectId}` }),
      invalidatesTags: (_result, _error, projectId) => [{ type: 'Todos', id: projectId }],
    }),
  }),
})

/** A socket that never opens: the connection stays down, and nothing leaves the page. */
const silentTransport: RealtimeTransport = {
  clientKey: {},
  connect: async () => undefined,
  disconnect: async () => undefined,
  isConnected: () => false,
  watchSocket: () => () => undefined,
  sendHeartbeat: () => undefined,
  authorize: async () => ({ signedIn: false }),
  watchAuth: () => () => undefined,
  createChannel: (topic) => ({ topic, join: () => () => undefined, send: async () => 'error' }),
  removeChannel: async () => undefined,
  channelTopics: () => [],
}

const params = new URLSearchParams(window.location.search)
// `?realtime=switchable`: the server refuses until `serverUp()`; retries are slow (suspended at once, 30–90 s apart).
const switchable = params.get('realtime') === 'switchable' ? switchableTransport() : null
const realtime = createRealtime({
  api,
  transport: switchable?.transport ?? silentTransport,
  env: params.get('locks') === 'off' ? { locks: null } : {},
  ...(switchable ? { retry: { maxRetries: 0, suspendedRetryMs: 60_000 } } : {}),
})

const reducer: Record<string, Reducer> = { [api.reducerPath]: api.reducer, [realtime.reducerPath]: realtime.reducer }
const store = configureStore({
  reducer,
  middleware: (gDM) => gDM().concat(api.middleware as Middleware, realtime.middleware),
})
realtime.start(store)
void store.dispatch(api.endpoints.todos.initiate('p1'))
// `?show=p2`: this page also shows p2's todos, kept fresh by a subscription (polled while realtime is down).
const shown = params.get('show')
if (shown) {
  realtime.subscribe({
    topic: `project:${shown}`,
    postgres: [{ event: '*', schema: 'public', table: 'todos' }],
    tags: [{ type: 'Todos', id: shown }],
  })
  void store.dispatch(api.endpoints.todos.initiate(shown))
}

if (switchable) {
  // A topic whose tags no query provides: its polls refetch nothing, so no read cuts a retry wait short.
  realtime.subscribe({
    topic: 'project:none',
    postgres: [{ event: '*', schema: 'public', table: 'todos' }],
    tags: [{ type: 'Todos', id: 'none' }],
  })
}

Object.assign(window, {
  crossTabFixture: {
    crossTab: () => realtime.selectors.selectCrossTab(store.getState()),
    pollingInterval: () => realtime.selectors.selectPollingInterval(store.getState()),
    fetches: (projectId: string) => fetches[projectId] ?? 0,
    addTodo: async (projectId: string) => {
      await store.dispatch(api.endpoints.addTodo.initiate(projectId))
    },
    connection: () => realtime.selectors.selectConnectionState(store.getState()),
    nextRetryAt: () => realtime.selectors.selectRealtimeState(store.getState()).nextRetryAt,
    peerReconnectWakeups: () => realtime.selectors.selectMetrics(store.getState()).peerReconnectWakeups,
    serverUp: () => switchable?.serverUp(),
    recover: () => store.dispatch(realtime.actions.recover()),
  },
})
