import { configureStore, type Middleware, type Reducer, type UnknownAction } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { createRealtime, type Realtime } from '../../../src/core/createRealtime'
import type { RealtimeOptions } from '../../../src/core/options'
import { createSeededRandom } from '../../../src/env/random'
import { constantSignal } from '../../../src/env/signal'
import type { LogLevel } from '../../../src/env/logger'
import { FakeClock } from '../../support/fakeClock'
import { FakeTransport } from '../../support/fakeTransport'
import { controllableSignal, type ControllableSignal } from '../../support/harness'
import { MemoryBrowser, type MemoryTab } from './memoryTabs'

/** A small app api: todo lists per project, and mutations that invalidate them. */
export function createTodoApi() {
  const calls: Record<string, number> = {}
  const run = <T>(endpoint: string, data: T) => {
    calls[endpoint] = (calls[endpoint] ?? 0) + 1
    return { data }
  }
  const api = createApi({
    reducerPath: 'todoApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Todos', 'Projects'],
    endpoints: (build) => ({
      todos: build.query<string, string>({
        queryFn: (projectId) => run(`todos:${projectId}`, `todos of ${projectId}`),
        providesTags: (_result, _error, projectId) => [{ type: 'Todos', id: projectId }],
      }),
      projects: build.query<string, void>({
        queryFn: () => run('projects', 'projects'),
        providesTags: ['Projects'],
      }),
      addTodo: build.mutation<string, { projectId: string; fail?: boolean }>({
        queryFn: ({ projectId, fail }) =>
          fail ? { error: { message: 'refused' } } : run('addTodo', `added to ${projectId}`),
        invalidatesTags: (_result, _error, { projectId }) => [{ type: 'Todos', id: projectId }],
      }),
      renameProject: build.mutation<string, string>({
        queryFn: (name) => run('renameProject', name),
        invalidatesTags: ['Projects', { type: 'Todos', id: 'LIST' }],
      }),
      touchProjects: build.mutation<string, number>({
        queryFn: (count) => run('touchProjects', `touched ${count}`),
        invalidatesTags: (_result, _error, count) =>
          Array.from({ length: count }, (_, i) => ({ type: 'Todos' as const, id: `p${i}` })),
      }),
      ping: build.mutation<string, void>({
        queryFn: () => run('ping', 'pong'),
      }),
    }),
  })
  return { api, fetches: (endpoint: string) => calls[endpoint] ?? 0 }
}

export type TodoApi = ReturnType<typeof createTodoApi>['api']

export interface Tab {
  tab: MemoryTab
  realtime: Realtime
  store: ReturnType<typeof makeStore>
  api: TodoApi
  transport: FakeTransport
  visibility: ControllableSignal
  logs: Array<{ level: LogLevel; line: string }>
  fetches: (endpoint: string) => number
  crossTab: () => ReturnType<Realtime['selectors']['selectCrossTab']>
  pollingInterval: () => number | null
  stop: () => void
  /** Mounts a query, kept subscribed as a mounted component would. */
  mount(endpoint: 'todos' | 'projects', arg?: string): void
  mutate(endpoint: 'addTodo' | 'renameProject' | 'touchProjects' | 'ping', arg?: unknown): Promise<unknown>
}

function makeStore(realtime: Realtime, api: TodoApi) {
  const reducer: Record<string, Reducer> = { [realtime.reducerPath]: realtime.reducer, [api.reducerPath]: api.reducer }
  return configureStore({
    reducer,
    middleware: (gDM) => gDM().concat(api.middleware as Middleware, realtime.middleware),
  })
}

/** Several stores in one process, one per tab, sharing an in-memory BroadcastChannel and Web Locks. */
export function createTabs({ locks = true }: { locks?: boolean } = {}) {
  const clock = new FakeClock()
  const browser = new MemoryBrowser(clock)
  const tabs: Tab[] = []
  let seed = 0

  function open(
    name: string,
    options: Partial<RealtimeOptions> & { visible?: boolean; realtimeUp?: boolean } = {},
  ): Tab {
    const { visible = true, realtimeUp = false, ...realtimeOptions } = options
    seed += 1
    const tab = browser.openTab(name)
    const transport = new FakeTransport()
    if (!realtimeUp) transport.connectBehavior = 'refuse'
    const visibility = controllableSignal(visible)
    const logs: Tab['logs'] = []
    const { api, fetches } = createTodoApi()
    const realtime = createRealtime({
      transport,
      api,
      ...realtimeOptions,
      env: {
        clock: tab.clock,
        random: createSeededRandom(seed),
        visibility,
        online: constantSignal(true),
        logSink: (level, line) => logs.push({ level, line }),
        logLevel: 'debug',
        logSampleRate: 1,
        broadcastChannel: tab.broadcastChannel,
        locks: locks ? tab.locks : null,
        ...realtimeOptions.env,
      },
    })
    const store = makeStore(realtime, api)
    const stopRealtime = realtime.start(store)
    let stopped = false
    const handle: Tab = {
      tab,
      realtime,
      store,
      api,
      transport,
      visibility,
      logs,
      fetches,
      crossTab: () => realtime.selectors.selectCrossTab(store.getState()),
      pollingInterval: () => realtime.selectors.selectPollingInterval(store.getState()),
      stop: () => {
        if (stopped) return
        stopped = true
        stopRealtime()
      },
      mount(endpoint, arg) {
        const initiate = api.endpoints[endpoint].initiate as unknown as (arg: unknown) => UnknownAction
        store.dispatch(initiate(arg))
      },
      async mutate(endpoint, arg) {
        const initiate = api.endpoints[endpoint].initiate as unknown as (
          arg: unknown,
        ) => UnknownAction & Promise<unknown>
        return store.dispatch(initiate(arg))
      },
    }
    tabs.push(handle)
    return handle
  }

  return {
    clock,
    browser,
    tabs,
    open,
    /** Closes a tab as the browser would: no goodbye, its locks freed, its timers dead. */
    crash(tab: Tab) {
      tab.tab.close()
    },
    /** The tabs' roles, in opening order. */
    roles: () => tabs.map((tab) => tab.crossTab().role),
    stopAll() {
      for (const tab of tabs) tab.stop()
    },
  }
}
