/**
 * What the scale bench's library run and its hand-rolled baseline share: the api (one item
 * query per id, ten lists), the routes, the deterministic mixed stream, and a cache filled to a
 * given size.
 */
import type { Dispatch, UnknownAction } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { defineRoutes, type RealtimeEvent } from '../src/index'

export const DISTINCT_TAGS = 100_000
export const LISTS = 10
export const ROWS_PER_LIST = 20
export const BATCH = 100
/** Queries with a subscriber (the events' hits); the others of a size are cached entries without one. */
export const SUBSCRIBED = 100

export interface ListRow {
  id: number
  group: string
  v: number
}

export function createScaleApi() {
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
export type ScaleApi = ReturnType<typeof createScaleApi>

const listRowId = (group: string, index: number) => Number(group.slice(1)) * 1_000 + index

export function scaleRoutes() {
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
export function mixedStream(count: number, at: number, withPatches: boolean): RealtimeEvent[] {
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

/** Fills the cache to `queries` entries (the first {@link SUBSCRIBED} subscribed) plus the lists; returns the subscriptions. */
export function fillCache(
  store: { dispatch: Dispatch<UnknownAction> },
  api: ScaleApi,
  queries: number,
): Array<{ unsubscribe(): void }> {
  const dispatch = store.dispatch as (action: unknown) => { unsubscribe(): void }
  // The first 100 (the ones events hit) are subscribed; the rest enter the cache in one action, since
  // RTK Query's own cost of mounting 10,000 queries one by one grows quadratically (its state copies).
  const subscriptions: Array<{ unsubscribe(): void }> = []
  for (let id = 0; id < SUBSCRIBED; id += 1) subscriptions.push(dispatch(api.endpoints.item.initiate(id)))
  const cachedOnly = Array.from({ length: Math.max(0, queries - SUBSCRIBED) }, (_, index) => ({
    endpointName: 'item' as const,
    arg: SUBSCRIBED + index,
    value: SUBSCRIBED + index,
  }))
  if (cachedOnly.length > 0) store.dispatch(api.util.upsertQueryEntries(cachedOnly))
  for (let list = 0; list < LISTS; list += 1) subscriptions.push(dispatch(api.endpoints.list.initiate(`g${list}`)))
  return subscriptions
}

/** One size's measurement. */
export interface SizeResult {
  queries: number
  events: number
  nsPerEvent: number
  bytesPerQuery: number
}
