import { afterEach, describe, expect, it } from 'vitest'
import { defineRoutes } from '../../src/router/defineRoutes'
import {
  cachedListPerTest,
  change,
  generation,
  unpatchableRoutes,
  type Generation,
  type ListApi,
  type ListHarness,
} from './listSupport'

const { cachedList, finish } = cachedListPerTest()
afterEach(finish)

/** Delivers one event and lets the fallback refetch (if any) run; returns the refetches it caused. */
async function refetchesAfter(harness: ListHarness, ...events: Parameters<ListHarness['deliver']>) {
  const before = harness.fetches()
  harness.deliver(...events)
  await harness.clock.advance(1_000)
  return harness.fetches() - before
}

describe('Patch mode falls back to invalidating fallbackTags when the payload is incomplete', () => {
  it('refetches when Realtime reports errors for the record (trimmed by size or permissions)', async () => {
    const harness = await cachedList()
    harness.backend.put(generation('c', 3))
    expect(
      await refetchesAfter(
        harness,
        change('INSERT', { new: { id: 'c', project_id: 'p1' } }, 1, { errors: ['Error 413: Payload Too Large'] }),
      ),
    ).toBe(1)
    expect(harness.list()?.find((row) => row.id === 'c')).toEqual(generation('c', 3))
  })

  it('never writes an UPDATE that lacks TOAST-ed columns the cached row has: it refetches, and the row stays whole', async () => {
    const harness = await cachedList()
    const partial = { id: 'a', project_id: 'p1', updated_at: generation('a', 5).updated_at, client_request_id: null }
    harness.backend.put(generation('a', 5, { prompt: 'prompt a' }))
    expect(await refetchesAfter(harness, change('UPDATE', { new: partial, old: { id: 'a' } }, 1))).toBe(1)
    expect(harness.list()?.[0]).toEqual(generation('a', 5))
  })

  it('refetches when an INSERT lacks columns that the cached rows have (hidden from the role)', async () => {
    const harness = await cachedList()
    expect(
      await refetchesAfter(
        harness,
        change('INSERT', { new: { id: 'c', project_id: 'p1', updated_at: generation('c', 3).updated_at } }, 1),
      ),
    ).toBe(1)
    expect(harness.ids()).toEqual(['a', 'b'])
  })

  it('refetches when the row lacks the key, the version, or the field args reads', async () => {
    const harness = await cachedList()
    const { id: _id, ...withoutKey } = generation('c', 3)
    expect(await refetchesAfter(harness, change('INSERT', { new: withoutKey }, 1))).toBe(1)
    const { updated_at: _version, ...withoutVersion } = generation('d', 3)
    expect(await refetchesAfter(harness, change('INSERT', { new: withoutVersion }, 2))).toBe(1)
    const { project_id: _project, ...withoutProject } = generation('e', 3)
    // args() returns undefined: fallbackTags build 'Generations|undefined', widened to every Generations list.
    expect(await refetchesAfter(harness, change('INSERT', { new: withoutProject }, 3))).toBe(1)
    expect(harness.ids()).toEqual(['a', 'b'])
  })

  it('refetches when a DELETE carries no key (and when the payload has no row at all)', async () => {
    const harness = await cachedList()
    expect(await refetchesAfter(harness, change('DELETE', { old: { project_id: 'p1' } }, 1))).toBe(1)
    expect(await refetchesAfter(harness, change('INSERT', {}, 2))).toBe(1)
    expect(harness.ids()).toEqual(['a', 'b'])
  })

  it('refetches when versions cannot be compared', async () => {
    const harness = await cachedList()
    expect(
      await refetchesAfter(harness, change('UPDATE', { new: { ...generation('a', 1), updated_at: 'yesterday' } }, 1)),
    ).toBe(1)
  })

  it('coalesces the fallbacks of a burst through the per-tag throttle', async () => {
    const harness = await cachedList()
    const before = harness.fetches()
    for (let i = 0; i < 20; i++) {
      harness.deliver(
        change('INSERT', { new: { id: `n${i}`, project_id: 'p1' } }, i, { errors: ['Error 413: Payload Too Large'] }),
      )
      await harness.clock.advance(10)
    }
    await harness.clock.advance(2_000)
    expect(harness.fetches() - before).toBe(2)
  })

  it('counts args that throw and a cached value that is not a list, falls back, and keeps routing', async () => {
    const harness = await cachedList({ routes: unpatchableRoutes })
    harness.store.dispatch(harness.api.endpoints.generationCount.initiate('p1') as never)
    await harness.clock.advance(0)
    harness.deliver(
      change('INSERT', { new: { ...generation('c', 3) } }, 1),
      change('UPDATE', { new: { ...generation('a', 4) } }, 2),
    )
    await harness.clock.advance(1_000)
    expect(harness.backend.count('generationCount')).toBe(2)
    expect(harness.fetches()).toBe(2)
    expect(harness.realtime.selectors.selectMetrics(harness.store.getState()).errorsByType).toMatchObject({
      PATCH_NOT_A_LIST: 1,
      PATCH_ARGS_THREW: 1,
    })
    expect(harness.routerLines(/not an array/)).toHaveLength(1)
  })

  it('still invalidates the route tags given beside a patch, for every event', async () => {
    const routes = defineRoutes<ListApi>()([
      {
        on: { table: 'generations' },
        patch: { endpoint: 'generations', args: (e) => ({ projectId: String(e.new?.project_id) }) },
        fallbackTags: () => [{ type: 'Generations', id: 'p1' }],
        tags: (e) => [{ type: 'Counts', id: String(e.new?.project_id ?? e.old?.project_id) }],
      },
    ])
    const harness = await cachedList({ routes })
    harness.store.dispatch(harness.api.endpoints.generationCount.initiate('p1') as never)
    await harness.clock.advance(0)
    harness.deliver(change('INSERT', { new: { ...generation('c', 3) } }, 1))
    await harness.clock.advance(1_000)
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
    expect(harness.fetches()).toBe(1)
    expect(harness.backend.count('generationCount')).toBe(2)
  })

  it('keeps patching from realtime events end to end (transport → batch → router → cache)', async () => {
    const harness = await cachedList()
    harness.realtime.subscribe({
      topic: 'project:p1',
      postgres: [{ event: '*', schema: 'public', table: 'generations', filter: 'project_id=eq.p1' }],
    })
    await harness.clock.advance(100)
    const row: Generation = generation('c', 3)
    harness.transport.emitEvent({ ...change('INSERT', { new: { ...row } }, 1), receivedAt: harness.clock.now() })
    await harness.clock.advance(16)
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
    expect(harness.fetches()).toBe(1)
  })
})
