import type { UnknownAction } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import type { RealtimeOptions } from '../../src/core/options'
import { defineRoutes } from '../../src/router/defineRoutes'
import { createHarness, type Harness } from './harness'

/** Two tables, `a` and `b`, each read by one query whose data is the table's version in `db`. */
export function createTablesApi(db: { a: number; b: number }) {
  return createApi({
    reducerPath: 'tablesApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['A', 'B'],
    endpoints: (build) => ({
      a: build.query<{ version: number }, void>({ queryFn: () => ({ data: { version: db.a } }), providesTags: ['A'] }),
      b: build.query<{ version: number }, void>({ queryFn: () => ({ data: { version: db.b } }), providesTags: ['B'] }),
    }),
  })
}

export type TablesApi = ReturnType<typeof createTablesApi>

export const tablesRoutes = defineRoutes<TablesApi>()([
  { on: { table: 'a' }, tags: () => ['A'] },
  { on: { table: 'b' }, tags: () => ['B'] },
])

export type TablesHarness = Harness & { db: { a: number; b: number }; api: TablesApi }

/** One topic, `project:1`, carrying both tables; both queries mounted after the join. */
export async function oneTopicTwoTables(options: Partial<RealtimeOptions> = {}): Promise<TablesHarness> {
  const db = { a: 0, b: 0 }
  const api = createTablesApi(db)
  const harness = createHarness({ api, routes: tablesRoutes, ...options } as Partial<RealtimeOptions>, { seed: 2 })
  harness.realtime.subscribe({
    topic: 'project:1',
    postgres: [
      { event: '*', schema: 'public', table: 'a' },
      { event: '*', schema: 'public', table: 'b' },
    ],
    tags: ['A', 'B'],
  })
  await harness.clock.advance(100)
  harness.store.dispatch(api.endpoints.a.initiate() as unknown as UnknownAction)
  harness.store.dispatch(api.endpoints.b.initiate() as unknown as UnknownAction)
  await harness.clock.advance(0)
  return { ...harness, db, api }
}

/** A change of `table` on `project:1` that realtime delivers. */
export function announce(harness: Harness, table: 'a' | 'b'): void {
  harness.transport.emitEvent({
    kind: 'postgres_changes',
    topic: 'project:1',
    receivedAt: harness.clock.now(),
    schema: 'public',
    table,
    eventType: 'UPDATE',
    commitTimestamp: null,
    new: { id: 1 },
    old: { id: 1 },
  })
}
