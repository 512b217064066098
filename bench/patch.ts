/**
 * Patch mode against invalidation, in process: a burst of postgres_changes events on one cached
 * list, over a simulated second. A real Redux store with a real RTK Query api (the list api on a
 * fake table of the test suite, test/router/listSupport.ts) whose backend counts its reads and
 * answers after 20 ms of fake time; the library on the scripted fake transport and the fake
 * clock of the tests (test/support/fakeTransport.ts, fakeClock.ts), advanced in 16 ms frames.
 *
 * The same workload runs three times: the patch route of the tests, the same route as tags only
 * (its `fallbackTags` as `tags`, throttled by the router), and a listener that invalidates the
 * same tags on every event (no library). Each run ends by comparing the cached list with the
 * backend's rows.
 */
import {
  configureStore,
  createAction,
  createListenerMiddleware,
  type Middleware,
  type Reducer,
  type UnknownAction,
} from '@reduxjs/toolkit'
import { createRealtime, createSeededRandom, defineRoutes, type PostgresChangesEvent } from '../src/index'
import { FakeClock } from '../test/support/fakeClock'
import { FakeTransport } from '../test/support/fakeTransport'
import { createListApi, ListBackend, patchRoutes, type Generation, type ListApi } from '../test/router/listSupport'
import type { Figure } from './report'
import { benchEnv, now, round } from './support'

/** The simulated burst: 63 frames of 16 ms (1,008 ms). */
const FRAME_MS = 16
const FRAMES = Math.ceil(1_000 / FRAME_MS)
/** How long one read of the list takes, in fake time (as the router bench's refetch). */
const READ_MS = 20
/** Rows in the list when the burst starts. */
const INITIAL_ROWS = 200
/** UPDATEs go to one of the first HOT live rows half of the time. */
const HOT = 20
const MIX = { update: 0.6, insert: 0.3 } // the rest (10%) DELETE
/** Share of INSERTs that reuse the key of a deleted row. */
const REINSERT = 0.3
/** Share of events delivered 1–3 frames late (behind later commits). */
const LATE = 0.03
/** Share of events delivered twice (the copy in the same or one of the next 3 frames). */
const DUPLICATE = 0.02
/** After the last frame: the router's trailing invalidations (500 ms throttle) and the reads they start. */
const SETTLE_MS = 2_000
const PROJECT = 'p1'
const TOPIC = `project:${PROJECT}`
const BASE_TIME = Date.UTC(2026, 0, 1)

/** ListBackend whose reads resolve after `READ_MS` of fake time (a snapshot taken when the read starts). */
class TimedListBackend extends ListBackend {
  constructor(private readonly clock: FakeClock) {
    super()
  }

  override async run<T>(endpoint: string, read: () => T): Promise<{ data: T }> {
    this.calls[endpoint] = (this.calls[endpoint] ?? 0) + 1
    const data = read()
    await new Promise<void>((resolve) => this.clock.setTimeout(resolve, READ_MS))
    return { data }
  }
}

/** A Postgres timestamptz as Realtime spells it, `ms` after the base time. */
const timestamp = (ms: number): string => new Date(BASE_TIME + ms).toISOString().replace('Z', '+00:00')

interface Commit {
  seq: number
  frame: number
  eventType: PostgresChangesEvent['eventType']
  row: Generation
}

interface Workload {
  initial: Generation[]
  /** Commits by the frame in which the backend applies them. */
  commits: Commit[][]
  /** Events by the frame in which they are delivered (frames past the burst hold late ones). */
  deliveries: PostgresChangesEvent[][]
  counts: {
    events: number
    commits: number
    updates: number
    inserts: number
    reinserts: number
    deletes: number
    late: number
    duplicates: number
    behindNewerVersionOfRow: number
    distinctKeys: number
  }
}

/**
 * A deterministic burst of `total` delivered events: 60% UPDATE of live rows (half on a hot
 * set), 30% INSERT (30% of them re-using a deleted key), 10% DELETE; 3% delivered 1–3 frames
 * late, 2% delivered twice. Rows are whole (`REPLICA IDENTITY FULL`): every column, in `old` too.
 */
function makeWorkload(total: number, seed: number, lateShare = LATE): Workload {
  const random = createSeededRandom(seed)
  const pick = <T>(list: readonly T[], limit = list.length): T =>
    list[Math.floor(random() * Math.min(limit, list.length))] as T
  const rows = new Map<string, Generation>()
  const live: string[] = []
  const deleted: string[] = []
  const removeAt = (list: string[], index: number) => {
    list[index] = list[list.length - 1] as string
    list.pop()
  }
  let nextKey = 0
  const newRow = (id: string, ms: number, prompt: string): Generation => ({
    id,
    project_id: PROJECT,
    prompt,
    updated_at: timestamp(ms),
    client_request_id: null,
  })
  const initial: Generation[] = []
  for (let i = 0; i < INITIAL_ROWS; i += 1) {
    const id = `g${String(nextKey++).padStart(5, '0')}`
    const row = newRow(id, -60_000 + i, `prompt ${id}`)
    rows.set(id, row)
    live.push(id)
    initial.push(row)
  }
  const counts: Workload['counts'] = {
    events: 0,
    commits: 0,
    updates: 0,
    inserts: 0,
    reinserts: 0,
    deletes: 0,
    late: 0,
    duplicates: 0,
    behindNewerVersionOfRow: 0,
    distinctKeys: 0,
  }
  const commits: Commit[][] = Array.from({ length: FRAMES }, () => [])
  const scheduled: Array<{ frame: number; position: number; event: PostgresChangesEvent; seq: number }> = []
  const schedule = (event: PostgresChangesEvent, seq: number, frame: number, inFrame: boolean) => {
    // In its own frame an event keeps commit order; a late one or a copy lands anywhere in its frame.
    const anywhere = (frame + random()) * (total / FRAMES)
    scheduled.push({ frame, position: inFrame ? seq : anywhere, event, seq })
    counts.events += 1
  }
  for (let seq = 0; counts.events < total; seq += 1) {
    const frame = Math.min(FRAMES - 1, Math.floor((counts.events * FRAMES) / total))
    const roll = random()
    let commit: Commit
    let old: Generation | null = null
    if (roll < MIX.update && live.length > 0) {
      const id = random() < 0.5 ? pick(live, HOT) : pick(live)
      old = rows.get(id) as Generation
      commit = { seq, frame, eventType: 'UPDATE', row: { ...old, prompt: `edit ${seq}`, updated_at: timestamp(seq) } }
      counts.updates += 1
    } else if (roll < MIX.update + MIX.insert || live.length === 0) {
      let id: string
      if (deleted.length > 0 && random() < REINSERT) {
        const index = Math.floor(random() * deleted.length)
        id = deleted[index] as string
        removeAt(deleted, index)
        counts.reinserts += 1
      } else id = `g${String(nextKey++).padStart(5, '0')}`
      live.push(id)
      commit = { seq, frame, eventType: 'INSERT', row: newRow(id, seq, `prompt ${id} at ${seq}`) }
      counts.inserts += 1
    } else {
      const index = Math.floor(random() * live.length)
      const id = live[index] as string
      removeAt(live, index)
      deleted.push(id)
      old = rows.get(id) as Generation
      commit = { seq, frame, eventType: 'DELETE', row: old }
      counts.deletes += 1
    }
    if (commit.eventType === 'DELETE') rows.delete(commit.row.id)
    else rows.set(commit.row.id, commit.row)
    commits[frame]?.push(commit)
    counts.commits += 1
    const event: PostgresChangesEvent = {
      kind: 'postgres_changes',
      topic: TOPIC,
      receivedAt: 0,
      schema: 'public',
      table: 'generations',
      eventType: commit.eventType,
      commitTimestamp: timestamp(seq),
      new: commit.eventType === 'DELETE' ? null : { ...commit.row },
      old: commit.eventType === 'INSERT' ? null : { ...(old as Generation) },
    }
    // Both draws are made whatever lateShare is, so that a workload with lateShare 0 has the same commits and copies.
    const late = random() < lateShare
    const lateBy = 1 + Math.floor(random() * 3)
    if (late) counts.late += 1
    schedule(event, seq, late ? frame + lateBy : frame, !late)
    if (counts.events < total && random() < DUPLICATE) {
      counts.duplicates += 1
      schedule(event, seq, frame + Math.floor(random() * 4), false)
    }
  }
  scheduled.sort((a, b) => a.frame - b.frame || a.position - b.position)
  const lastFrame = scheduled.at(-1)?.frame ?? 0
  const deliveries: PostgresChangesEvent[][] = Array.from({ length: Math.max(FRAMES, lastFrame + 1) }, () => [])
  const newestSeen = new Map<string, number>()
  for (const { frame, event, seq } of scheduled) {
    deliveries[frame]?.push(event)
    const id = String((event.new ?? event.old)?.id)
    if ((newestSeen.get(id) ?? -1) > seq) counts.behindNewerVersionOfRow += 1
    newestSeen.set(id, Math.max(seq, newestSeen.get(id) ?? -1))
  }
  counts.distinctKeys = nextKey
  return { initial, commits, deliveries, counts }
}

/** The patch route of the tests (test/router/listSupport.ts): patch mode runs it as it is. */
const [patchRoute] = patchRoutes
if (!patchRoute.fallbackTags) throw new Error('patch bench: the list route of the tests has no fallbackTags')
const listTags = patchRoute.fallbackTags
/** The same route as tags only: its fallbackTags invalidated for every event (through the router's throttle). */
const tagRoutes = defineRoutes<ListApi>()([{ on: patchRoute.on, tags: listTags }])

type Mode = 'patch' | 'tags' | 'naive'

interface Setup {
  clock: FakeClock
  backend: TimedListBackend
  api: ListApi
  store: { dispatch(action: UnknownAction): unknown; getState(): unknown }
  deliver(events: readonly PostgresChangesEvent[]): void
  metrics(): Record<string, unknown> | undefined
  stop(): void
}

/** What every setup starts from: the fake clock, the backend that answers on it, and the list api. */
function listParts(): Pick<Setup, 'clock' | 'backend' | 'api'> {
  const clock = new FakeClock(BASE_TIME)
  const backend = new TimedListBackend(clock)
  return { clock, backend, api: createListApi(backend) }
}

/** A store of the list api beside `reducers`, with `middleware` after the api's (serializable and immutable checks off). */
function listStore(api: ListApi, reducers: Record<string, Reducer>, ...middleware: Middleware[]) {
  return configureStore({
    reducer: { [api.reducerPath]: api.reducer, ...reducers },
    middleware: (gDM) => gDM({ serializableCheck: false, immutableCheck: false }).concat(api.middleware, ...middleware),
  })
}

function librarySetup(mode: 'patch' | 'tags'): Setup {
  const parts = listParts()
  const { clock, api } = parts
  const transport = new FakeTransport()
  const realtime = createRealtime({
    transport,
    api,
    routes: mode === 'patch' ? patchRoutes : tagRoutes,
    env: benchEnv({ clock, random: createSeededRandom(7) }),
  })
  const store = listStore(api, { realtime: realtime.reducer }, realtime.middleware)
  const stopRealtime = realtime.start(store)
  const handle = realtime.subscribe({
    topic: TOPIC,
    postgres: [{ event: '*', schema: 'public', table: 'generations' }],
    tags: [{ type: 'Generations', id: PROJECT }],
  })
  return {
    ...parts,
    store,
    deliver: (events) => {
      for (const event of events) transport.emitEvent({ ...event, receivedAt: clock.now() })
    },
    metrics: () => {
      const metrics = realtime.selectors.selectRealtimeState(store.getState()).metrics
      const channel = realtime.selectors.selectChannel(TOPIC)(store.getState())
      const {
        eventsRouted,
        invalidationsIssued,
        invalidationsCoalesced,
        rowsPatched,
        patchesStale,
        patchFallbacks,
        patchFallbacksByReason,
      } = metrics
      return {
        channel: channel?.state,
        eventsRouted,
        invalidationsIssued,
        invalidationsCoalesced,
        rowsPatched,
        patchesStale,
        patchFallbacks,
        patchFallbacksByReason,
      }
    },
    stop: () => {
      handle.unsubscribe()
      stopRealtime()
    },
  }
}

/** The baseline: a listener that invalidates the route's tags on every single event (RTK Query's default `invalidationBehavior: 'delayed'`). */
function naiveSetup(): Setup {
  const parts = listParts()
  const { clock, api } = parts
  const eventArrived = createAction<PostgresChangesEvent>('naive/eventArrived')
  const listener = createListenerMiddleware()
  let invalidations = 0
  listener.startListening({
    actionCreator: eventArrived,
    effect: (action, listenerApi) => {
      invalidations += 1
      listenerApi.dispatch(
        api.util.invalidateTags(listTags(action.payload) as Parameters<typeof api.util.invalidateTags>[0]),
      )
    },
  })
  const store = listStore(api, {}, listener.middleware)
  return {
    ...parts,
    store,
    deliver: (events) => {
      for (const event of events) store.dispatch(eventArrived({ ...event, receivedAt: clock.now() }))
    },
    metrics: () => ({ invalidationsIssued: invalidations }),
    stop: () => listener.clearListeners(),
  }
}

function sameRow(a: Generation, b: Generation): boolean {
  const keys = Object.keys(a) as Array<keyof Generation>
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key])
}

interface RunResult {
  mode: Mode
  events: number
  frames: number
  /** Reads of the list from the first frame until the end of the settle time (the mount's first read excluded). */
  reads: number
  /** The cached list holds exactly the backend's rows (by key, every column), in any order. */
  equal: boolean
  /** ...and in the backend's order. */
  sameOrder: boolean
  cachedRows: number
  backendRows: number
  /** Wall time spent delivering the frames and advancing the clock through them (the settle time excluded). */
  busyMs: number
  eventsPerSecond: number
  nsPerEvent: number
  metrics: Record<string, unknown> | undefined
}

async function runMode(mode: Mode, workload: Workload): Promise<RunResult> {
  const setup = mode === 'naive' ? naiveSetup() : librarySetup(mode)
  const { clock, backend, api, store } = setup
  backend.put(...workload.initial.map((row) => ({ ...row })))
  const query = store.dispatch(
    api.endpoints.generations.initiate({ projectId: PROJECT }) as unknown as UnknownAction,
  ) as { unsubscribe(): void }
  await clock.advance(200) // join (50 ms debounce), first read (20 ms)
  const select = api.endpoints.generations.select({ projectId: PROJECT })
  const cached = () => select(store.getState() as never).data ?? []
  if (cached().length !== workload.initial.length)
    throw new Error(`patch bench (${mode}): the list was not cached before the burst`)
  if (mode !== 'naive' && (setup.metrics() as { channel?: string }).channel !== 'subscribed')
    throw new Error(`patch bench (${mode}): the topic never joined on the fake transport`)
  const readsBefore = backend.count('generations')

  let busyMs = 0
  let events = 0
  for (let frame = 0; frame < workload.deliveries.length; frame += 1) {
    for (const commit of workload.commits[frame] ?? []) {
      if (commit.eventType === 'DELETE') backend.rows.delete(commit.row.id)
      else backend.put({ ...commit.row })
    }
    const batch = workload.deliveries[frame] ?? []
    events += batch.length
    const started = now()
    setup.deliver(batch)
    await clock.advance(FRAME_MS)
    busyMs += now() - started
  }
  await clock.advance(SETTLE_MS)

  const reads = backend.count('generations') - readsBefore
  const list = cached()
  const truth = [...backend.rows.values()].filter((row) => row.project_id === PROJECT)
  const byKey = new Map(list.map((row) => [row.id, row]))
  const equal =
    list.length === truth.length &&
    byKey.size === list.length &&
    truth.every((row) => byKey.has(row.id) && sameRow(byKey.get(row.id) as Generation, row))
  const sameOrder = equal && list.every((row, index) => row.id === truth[index]?.id)
  const metrics = setup.metrics()
  query.unsubscribe()
  setup.stop()
  return {
    mode,
    events,
    frames: workload.deliveries.length,
    reads,
    equal,
    sameOrder,
    cachedRows: list.length,
    backendRows: truth.length,
    busyMs: round(busyMs, 1),
    eventsPerSecond: Math.round((events / busyMs) * 1000),
    nsPerEvent: Math.round((busyMs * 1e6) / events),
    metrics,
  }
}

export async function runPatchBench({
  quick,
}: {
  quick: boolean
}): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const total = quick ? 1_000 : 10_000
  const workload = makeWorkload(total, 42)
  // Warm-up on a smaller burst and throwaway instances: the JIT carries over, nothing else does.
  const warmup = makeWorkload(quick ? 300 : 2_000, 7)
  for (const mode of ['patch', 'tags'] as const) await runMode(mode, warmup)

  const patch = await runMode('patch', workload)
  const tags = await runMode('tags', workload)
  const naive = await runMode('naive', workload)
  // The same burst with nothing delivered late (duplicates and all else kept): what patch mode reads when no UPDATE overtakes its row's INSERT.
  const inOrder = makeWorkload(total, 42, 0)
  const patchInOrder = await runMode('patch', inOrder)
  const tagsInOrder = await runMode('tags', inOrder)
  const burst = `${total.toLocaleString('en-US')} events on one cached list over 1 s`

  const figures: Figure[] = [
    {
      section: 'patch',
      name: `backend reads, ${burst}, patch mode`,
      value: patch.reads,
      unit: 'reads',
      baseline: { label: 'naive invalidate-every-event listener', value: naive.reads },
    },
    {
      section: 'patch',
      name: `backend reads, same burst, same route as tags only (throttled)`,
      value: tags.reads,
      unit: 'reads',
      baseline: { label: 'naive invalidate-every-event listener', value: naive.reads },
    },
    {
      section: 'patch',
      name: 'backend reads, same burst with no late deliveries (duplicates kept), patch mode',
      value: patchInOrder.reads,
      unit: 'reads',
      baseline: { label: 'same route as tags only', value: tagsInOrder.reads },
    },
    {
      section: 'patch',
      name: 'final cached list equals the backend rows, patch mode',
      value: patch.equal ? 1 : 0,
      unit: '',
      format: 'boolean',
      baseline: { label: 'naive listener', value: naive.equal ? 1 : 0 },
      target: { op: '==', value: 1 },
    },
    {
      section: 'patch',
      name: 'final cached list equals the backend rows, tags only',
      value: tags.equal ? 1 : 0,
      unit: '',
      format: 'boolean',
      baseline: { label: 'naive listener', value: naive.equal ? 1 : 0 },
    },
    {
      section: 'patch',
      name: 'final cached list equals the backend rows, patch mode, no late deliveries',
      value: patchInOrder.equal ? 1 : 0,
      unit: '',
      format: 'boolean',
      target: { op: '==', value: 1 },
    },
    {
      section: 'patch',
      name: 'events/s through the in-process pipeline, patch mode',
      value: patch.eventsPerSecond,
      unit: 'events/s',
      baseline: { label: 'same route as tags only', value: tags.eventsPerSecond },
    },
    {
      section: 'patch',
      name: 'ns per event, patch mode',
      value: patch.nsPerEvent,
      unit: 'ns',
      baseline: { label: 'same route as tags only', value: tags.nsPerEvent },
    },
  ]
  return {
    figures,
    details: {
      setup: `one cached list (${INITIAL_ROWS} rows at the start) of the list api on a fake table; reads take ${READ_MS} ms of fake time; fake clock advanced in ${FRAME_MS} ms frames (${FRAMES} frames); library defaults (batchMs 16, throttleMs 500); ${SETTLE_MS} ms of fake time after the last frame`,
      workload: workload.counts,
      patch,
      tags,
      naive,
      inOrder: { workload: inOrder.counts, patch: patchInOrder, tags: tagsInOrder },
    },
  }
}
