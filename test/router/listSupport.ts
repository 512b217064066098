import type { UnknownAction } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import type { RealtimeOptions } from '../../src/core/options'
import { defineRoutes } from '../../src/router/defineRoutes'
import type { PostgresChangesEvent, RealtimeEvent, Row } from '../../src/events/events'
import { createHarness, finishHarness } from '../support/harness'
import { Gate } from '../support/gate'

/** A row of `generations` as PostgREST returns it (and realtime delivers it). */
export interface Generation {
  id: string
  project_id: string
  prompt: string
  updated_at: string
  client_request_id: string | null
}

/** A fake table behind the list api: counts its reads and can hold them in flight. */
export class ListBackend {
  readonly rows = new Map<string, Generation>()
  readonly calls: Record<string, number> = {}
  private readonly gate = new Gate()

  put(...rows: Generation[]): void {
    for (const row of rows) this.rows.set(row.id, row)
  }

  /** Queries started from now on wait until `release()`. */
  hold(): void {
    this.gate.hold()
  }

  release(): void {
    this.gate.release()
  }

  async run<T>(endpoint: string, read: () => T): Promise<{ data: T }> {
    this.calls[endpoint] = (this.calls[endpoint] ?? 0) + 1
    const data = read()
    await this.gate.pass()
    return { data }
  }

  count(endpoint: string): number {
    return this.calls[endpoint] ?? 0
  }
}

/** An RTK Query api whose `generations` endpoint caches a list per project. */
export function createListApi(
  backend: ListBackend,
  { invalidationBehavior }: { invalidationBehavior?: 'delayed' | 'immediately' } = {},
) {
  return createApi({
    reducerPath: 'listApi',
    ...(invalidationBehavior ? { invalidationBehavior } : {}),
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Generations', 'Counts'],
    endpoints: (build) => ({
      generations: build.query<Generation[], { projectId: string }>({
        queryFn: ({ projectId }) =>
          backend.run('generations', () =>
            [...backend.rows.values()].filter((row) => row.project_id === projectId).map((row) => ({ ...row })),
          ),
        providesTags: (_result, _error, { projectId }) => [{ type: 'Generations', id: projectId }],
      }),
      generationCount: build.query<number, string>({
        queryFn: (projectId) =>
          backend.run(
            'generationCount',
            () => [...backend.rows.values()].filter((row) => row.project_id === projectId).length,
          ),
        providesTags: (_result, _error, projectId) => [{ type: 'Counts', id: projectId }],
      }),
    }),
  })
}

export type ListApi = ReturnType<typeof createListApi>

/** The route under test: generations patch the project's cached list, last write wins on updated_at. */
export const patchRoutes = defineRoutes<ListApi>()([
  {
    on: { table: 'generations' },
    patch: {
      endpoint: 'generations',
      args: (e) => (e.new?.project_id === undefined ? undefined : { projectId: String(e.new.project_id) }),
      key: 'id',
      version: 'updated_at',
    },
    fallbackTags: (e) => [{ type: 'Generations', id: String(e.new?.project_id ?? e.old?.project_id) }],
  },
])

/** A generation row at a given minute of 2026-01-01 (its `updated_at`). */
export function generation(id: string, minute: number, extra: Partial<Generation> = {}): Generation {
  return {
    id,
    project_id: 'p1',
    prompt: `prompt ${id}`,
    updated_at: `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000000+00:00`,
    client_request_id: null,
    ...extra,
  }
}

/** A postgres_changes event on generations, committed at a given second. */
export function change(
  eventType: PostgresChangesEvent['eventType'],
  rows: { new?: Row; old?: Row },
  commitSecond: number | null,
  extra: Record<string, unknown> = {},
): PostgresChangesEvent {
  const commitTimestamp =
    commitSecond === null ? null : `2026-01-01T01:00:${String(commitSecond).padStart(2, '0')}.000Z`
  return {
    kind: 'postgres_changes',
    topic: 'project:p1',
    receivedAt: 0,
    schema: 'public',
    table: 'generations',
    eventType,
    commitTimestamp,
    new: rows.new ?? null,
    old: rows.old ?? null,
    ...extra,
  }
}

/** A realtime instance with the list api in its store, on the fake transport and clock. */
export function createListHarness(
  options: Partial<RealtimeOptions> = {},
  { invalidationBehavior }: { invalidationBehavior?: 'delayed' | 'immediately' } = {},
) {
  const backend = new ListBackend()
  const api = createListApi(backend, { invalidationBehavior })
  const harness = createHarness({ api, routes: patchRoutes, ...options })
  const { store, clock, realtime } = harness
  return {
    ...harness,
    api,
    backend,
    /** Mounts the project's list (as a mounted component would) and waits for its first fetch. */
    async mount(projectId = 'p1') {
      const subscription = store.dispatch(
        api.endpoints.generations.initiate({ projectId }) as unknown as UnknownAction,
      ) as unknown as { unsubscribe(): void }
      await clock.advance(0)
      return subscription
    },
    list: (projectId = 'p1') => api.endpoints.generations.select({ projectId })(store.getState() as never).data,
    ids: (projectId = 'p1') =>
      (api.endpoints.generations.select({ projectId })(store.getState() as never).data ?? []).map((row) => row.id),
    /** Delivers one batch straight to the router, as the batch saga does, stamped with the current time. */
    deliver(...events: PostgresChangesEvent[]) {
      store.dispatch(
        realtime.events.eventsReceived({
          events: events.map((event) => ({ ...event, receivedAt: clock.now() })) as RealtimeEvent[],
          at: clock.now(),
        }),
      )
    },
    /** Tag invalidations dispatched so far. */
    invalidations: () =>
      harness.actions
        .filter((action) => api.util.invalidateTags.match(action))
        .map((action) => (action as { payload: unknown }).payload),
    /** Started fetches of the generations endpoint. */
    fetches: () => backend.count('generations'),
    routerLines: (pattern: RegExp) =>
      harness.logs
        .filter((entry) => entry.line.startsWith('[InvalidationRouter]') && pattern.test(entry.line))
        .map((entry) => entry.line),
  }
}

export type ListHarness = ReturnType<typeof createListHarness>

/**
 * Harnesses that one `afterEach` finishes: `listHarness(...)` starts a list harness,
 * `cachedList(options)` one with project p1's list cached (rows a at minute 1 and b at minute 2),
 * and `finish`, for `afterEach`, stops the last one started and fails the test if a saga crashed.
 */
export function cachedListPerTest() {
  let current: ListHarness | undefined
  const listHarness = (...args: Parameters<typeof createListHarness>): ListHarness =>
    (current = createListHarness(...args))
  return {
    listHarness,
    async cachedList(options: Parameters<typeof createListHarness>[0] = {}): Promise<ListHarness> {
      const harness = listHarness(options)
      harness.backend.put(generation('a', 1), generation('b', 2))
      await harness.mount('p1')
      return harness
    },
    finish(): void {
      finishHarness(current)
      current = undefined
    },
  }
}

/**
 * Two patch routes that cannot patch: an INSERT patches `generationCount`, whose cached value is
 * not a list (it falls back to Counts), and an UPDATE's args throw (it falls back to Generations).
 */
export const unpatchableRoutes = defineRoutes<unknown>()([
  {
    on: { table: 'generations', event: 'INSERT' },
    patch: { endpoint: 'generationCount', args: (e) => String(e.new?.project_id) },
    fallbackTags: (e) => [{ type: 'Counts', id: String(e.new?.project_id) }],
  },
  {
    on: { table: 'generations', event: 'UPDATE' },
    patch: {
      endpoint: 'generations',
      args: () => {
        throw new Error('boom')
      },
    },
    fallbackTags: () => [{ type: 'Generations', id: 'p1' }],
  },
])
