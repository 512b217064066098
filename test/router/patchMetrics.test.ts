import { afterEach, describe, expect, it } from 'vitest'
import type { PostgresChangesEvent } from '../../src/events/events'
import { normalizePostgresChange } from '../../src/transport/normalize'
import { cachedListPerTest, change, generation, unpatchableRoutes, type ListHarness } from './listSupport'

const { cachedList, finish } = cachedListPerTest()
afterEach(finish)

const metrics = (harness: ListHarness) => harness.realtime.selectors.selectMetrics(harness.store.getState())

/** The patch counters after delivering `events` (one batch each) and letting fallbacks refetch. */
async function countsAfter(harness: ListHarness, ...events: PostgresChangesEvent[]) {
  for (const event of events) harness.deliver(event)
  await harness.clock.advance(1_000)
  const { rowsPatched, patchesStale, patchFallbacks, patchFallbacksByReason } = metrics(harness)
  return { rowsPatched, patchesStale, patchFallbacks, patchFallbacksByReason }
}

const { id: _id, ...withoutKey } = generation('c', 3)
const { updated_at: _version, ...withoutVersion } = generation('c', 3)
const { project_id: _project, ...withoutProject } = generation('c', 3)

/** One event per fallback reason that a plain delivery on the cached list triggers. */
const FALLBACKS: Array<[string, PostgresChangesEvent]> = [
  [
    'PAYLOAD_ERRORS',
    change('INSERT', { new: { ...generation('c', 3) } }, 1, { errors: ['Error 413: Payload Too Large'] }),
  ],
  ['NO_ROW', change('INSERT', {}, 1)],
  ['NO_KEY', change('INSERT', { new: withoutKey }, 1)],
  ['NO_VERSION', change('INSERT', { new: withoutVersion }, 1)],
  ['NO_ARGS', change('INSERT', { new: withoutProject }, 1)],
  [
    'MISSING_COLUMNS',
    change(
      'UPDATE',
      {
        new: { id: 'a', project_id: 'p1', updated_at: generation('a', 5).updated_at, client_request_id: null },
        old: { id: 'a' },
      },
      1,
    ),
  ],
  ['VERSION_UNCOMPARABLE', change('UPDATE', { new: { ...generation('a', 1), updated_at: 'yesterday' } }, 1)],
  ['NOT_IN_LIST', change('UPDATE', { new: { ...generation('m', 4) }, old: { id: 'm' } }, 1)],
  ['NOT_CACHED', change('INSERT', { new: { ...generation('z', 3, { project_id: 'p9' }) } }, 1)],
]

const fallbackEvent = (reason: string): PostgresChangesEvent => FALLBACKS.find(([name]) => name === reason)![1]

/** An INSERT of row c as supabase-js hands it to a postgres_changes callback. */
const supabasePayload = (errors: unknown) => ({
  schema: 'public',
  table: 'generations',
  commit_timestamp: '2026-01-01T01:00:01.000Z',
  eventType: 'INSERT',
  new: { ...generation('c', 3) },
  old: {},
  errors,
})

function normalized(errors: unknown): PostgresChangesEvent {
  const result = normalizePostgresChange(supabasePayload(errors), 'project:p1', 0)
  if (!result.ok) throw new Error(result.reason)
  return result.event
}

describe('patch-mode metrics from the router', () => {
  it('counts a patched INSERT, UPDATE and DELETE as rows patched, with no stale events or fallbacks', async () => {
    const harness = await cachedList()
    const counts = await countsAfter(
      harness,
      change('INSERT', { new: { ...generation('c', 3) } }, 1),
      change('UPDATE', { new: { ...generation('a', 5, { prompt: 'edited' }) }, old: { id: 'a' } }, 2),
      change('DELETE', { old: { id: 'b' } }, 3),
    )
    expect(counts).toEqual({ rowsPatched: 3, patchesStale: 0, patchFallbacks: 0, patchFallbacksByReason: {} })
    expect(harness.fetches()).toBe(1)
  })

  it('counts a duplicate delivery of an INSERT as stale, and patches the row once', async () => {
    const harness = await cachedList()
    const insert = change('INSERT', { new: { ...generation('c', 3) } }, 1)
    expect(await countsAfter(harness, insert, insert)).toEqual({
      rowsPatched: 1,
      patchesStale: 1,
      patchFallbacks: 0,
      patchFallbacksByReason: {},
    })
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
  })

  it('counts an UPDATE older than the cached row, and one committed before the last write to its row, as stale', async () => {
    const harness = await cachedList()
    const counts = await countsAfter(
      harness,
      change('UPDATE', { new: { ...generation('b', 0, { prompt: 'older than the fetch' }) } }, 5),
      change('UPDATE', { new: { ...generation('a', 9, { prompt: 'second' }) } }, 20),
      change('UPDATE', { new: { ...generation('a', 9, { prompt: 'first' }) } }, 10),
    )
    expect(counts).toEqual({ rowsPatched: 1, patchesStale: 2, patchFallbacks: 0, patchFallbacksByReason: {} })
  })

  it.each(FALLBACKS)('counts a fallback for %s by its reason', async (reason, event) => {
    const harness = await cachedList()
    expect(await countsAfter(harness, event)).toEqual({
      rowsPatched: 0,
      patchesStale: 0,
      patchFallbacks: 1,
      patchFallbacksByReason: { [reason]: 1 },
    })
  })

  it('counts a write to a deleted row without a commit timestamp as ORDER_UNKNOWN, after the DELETE it patched', async () => {
    const harness = await cachedList()
    const counts = await countsAfter(
      harness,
      change('DELETE', { old: { id: 'a' } }, null),
      change('INSERT', { new: { ...generation('a', 9) } }, null),
    )
    expect(counts).toEqual({
      rowsPatched: 1,
      patchesStale: 0,
      patchFallbacks: 1,
      patchFallbacksByReason: { ORDER_UNKNOWN: 1 },
    })
  })

  it('counts an event patched into a list whose fetch is in flight as patched and as an IN_FLIGHT fallback', async () => {
    const harness = await cachedList()
    harness.backend.hold()
    harness.store.dispatch(harness.api.util.invalidateTags([{ type: 'Generations', id: 'p1' }]))
    await harness.clock.advance(0)
    harness.deliver(change('INSERT', { new: { ...generation('c', 3) } }, 1))
    harness.backend.release()
    await harness.clock.advance(1_000)
    expect(metrics(harness)).toMatchObject({
      rowsPatched: 1,
      patchesStale: 0,
      patchFallbacks: 1,
      patchFallbacksByReason: { IN_FLIGHT: 1 },
    })
  })

  it('counts args that throw (ARGS_THREW) and a cached value that is not a list (NOT_A_LIST)', async () => {
    const harness = await cachedList({ routes: unpatchableRoutes })
    harness.store.dispatch(harness.api.endpoints.generationCount.initiate('p1') as never)
    await harness.clock.advance(0)
    const counts = await countsAfter(
      harness,
      change('INSERT', { new: { ...generation('c', 3) } }, 1),
      change('UPDATE', { new: { ...generation('a', 4) } }, 2),
    )
    expect(counts).toEqual({
      rowsPatched: 0,
      patchesStale: 0,
      patchFallbacks: 2,
      patchFallbacksByReason: { NOT_A_LIST: 1, ARGS_THREW: 1 },
    })
  })

  it('counts each event of a batch once, and a falling-back event under the first of its reasons', async () => {
    const harness = await cachedList()
    harness.backend.hold()
    harness.store.dispatch(harness.api.util.invalidateTags([{ type: 'Generations', id: 'p1' }]))
    await harness.clock.advance(0)
    // The UPDATE meets IN_FLIGHT, then MISSING_COLUMNS: one fallback, under IN_FLIGHT (as the INSERT patched into the list in flight).
    harness.deliver(
      fallbackEvent('MISSING_COLUMNS'),
      fallbackEvent('PAYLOAD_ERRORS'),
      change('INSERT', { new: { ...generation('d', 4) } }, 2),
    )
    harness.backend.release()
    await harness.clock.advance(1_000)
    expect(metrics(harness)).toMatchObject({
      rowsPatched: 1,
      patchFallbacks: 3,
      patchFallbacksByReason: { IN_FLIGHT: 2, PAYLOAD_ERRORS: 1 },
    })
  })

  it('falls back (PAYLOAD_ERRORS) on a supabase-js payload whose errors survive normalize, and refetches the list once', async () => {
    const harness = await cachedList()
    harness.backend.put(generation('c', 3))
    const counts = await countsAfter(harness, normalized(['Error 413: Payload Too Large']))
    expect(counts).toEqual({
      rowsPatched: 0,
      patchesStale: 0,
      patchFallbacks: 1,
      patchFallbacksByReason: { PAYLOAD_ERRORS: 1 },
    })
    expect(harness.fetches()).toBe(2)
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
  })

  it('patches the same supabase-js payload when its errors are null, without a refetch', async () => {
    const harness = await cachedList()
    expect(await countsAfter(harness, normalized(null))).toEqual({
      rowsPatched: 1,
      patchesStale: 0,
      patchFallbacks: 0,
      patchFallbacksByReason: {},
    })
    expect(harness.fetches()).toBe(1)
  })
})
