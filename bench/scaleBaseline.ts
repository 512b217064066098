/**
 * The scale bench's baseline: the same stream handled the way an app without this library would,
 * one event at a time. A `rows` change is written into its list with `api.util.updateQueryData`
 * (the app knows a row's list from its id, so a DELETE writes one list too); any other change
 * invalidates its tag. What grows with the cache here is RTK Query's own cost per write.
 */
import { configureStore, type UnknownAction } from '@reduxjs/toolkit'
import { createScaleApi, fillCache, mixedStream, type ListRow, type SizeResult } from './scaleFixture'
import { now, sleep, tick } from './support'

type Row = Record<string, unknown> | null

/** The list a row belongs to, from its id (see `listRowId`), or from its `group` column. */
function groupOf(row: Row, old: Row): string {
  if (typeof row?.group === 'string') return row.group
  const id = Number(old?.id)
  return `g${Math.floor(id / 1_000)}`
}

function writeRow(draft: ListRow[], eventType: string, row: Row, old: Row): void {
  const id = Number((row ?? old)?.id)
  const index = draft.findIndex((item) => item.id === id)
  if (eventType === 'DELETE') {
    if (index >= 0) draft.splice(index, 1)
  } else if (index >= 0) Object.assign(draft[index] as ListRow, row)
  else draft.push(row as unknown as ListRow)
}

/** One size's cost per event with the hand-rolled handling (no batching, no throttle). */
export async function measureHandRolled(queries: number, events: number): Promise<SizeResult> {
  const api = createScaleApi()
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer },
    middleware: (gDM) => gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware),
  })
  const subscriptions = fillCache(store, api, queries)
  await sleep(20)
  const dispatch = store.dispatch as (action: unknown) => unknown
  const actions: unknown[] = mixedStream(events, Date.now(), true).map((event) => {
    if (event.kind !== 'postgres_changes') throw new Error('the scale stream holds postgres changes only')
    if (event.table !== 'rows')
      return api.util.invalidateTags([{ type: 'Item', id: Number((event.new ?? event.old)?.id) }]) as UnknownAction
    return api.util.updateQueryData('list', groupOf(event.new, event.old), (draft) =>
      writeRow(draft, event.eventType, event.new, event.old),
    )
  })
  const started = now()
  for (const action of actions) dispatch(action)
  const ms = now() - started
  await tick()
  for (const subscription of subscriptions) subscription.unsubscribe()
  store.dispatch(api.util.resetApiState()) // clears RTK Query's 60 s removal timers (see scale.ts)
  await sleep(20)
  return { queries, events, nsPerEvent: Math.round((ms * 1e6) / events), bytesPerQuery: 0 }
}
