import { afterEach, describe, expect, it } from 'vitest'
import { defineRoutes } from '../../src/router/defineRoutes'
import { cachedListPerTest, change, generation, type ListHarness } from './listSupport'

const lists = cachedListPerTest()
afterEach(lists.finish)

/** Project p1's list cached (rows a and b), after its one fetch. */
async function cachedList() {
  const harness = await lists.cachedList()
  expect(harness.ids()).toEqual(['a', 'b'])
  expect(harness.fetches()).toBe(1)
  return harness
}

const patchActions = (harness: ListHarness) =>
  harness.actions.filter((action) => action.type === 'listApi/queries/queryResultPatched').length

describe('Patch mode: rows from postgres_changes go straight into cached lists', () => {
  it('appends an INSERT to the cached list without a refetch', async () => {
    const harness = await cachedList()
    harness.deliver(change('INSERT', { new: { ...generation('c', 3) } }, 1))
    await harness.clock.advance(1_000)
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
    expect(harness.list()?.[2]).toEqual(generation('c', 3))
    expect(harness.fetches()).toBe(1)
  })

  it('replaces an UPDATEd row in place without a refetch', async () => {
    const harness = await cachedList()
    harness.deliver(change('UPDATE', { new: { ...generation('a', 5, { prompt: 'edited' }) }, old: { id: 'a' } }, 1))
    await harness.clock.advance(1_000)
    expect(harness.ids()).toEqual(['a', 'b'])
    expect(harness.list()?.[0]?.prompt).toBe('edited')
    expect(harness.fetches()).toBe(1)
  })

  it('removes a DELETEd row (only its primary key in old) from every cached list of the endpoint', async () => {
    const harness = await cachedList()
    harness.backend.put(generation('x', 1, { project_id: 'p2' }))
    await harness.mount('p2')
    harness.deliver(change('DELETE', { old: { id: 'a' } }, 1), change('DELETE', { old: { id: 'x' } }, 2))
    await harness.clock.advance(1_000)
    expect(harness.ids('p1')).toEqual(['b'])
    expect(harness.ids('p2')).toEqual([])
    expect(harness.fetches()).toBe(2)
  })

  it('refetches for an UPDATE of a row the list lacks (another page, or a row that moved into the list) instead of adding it', async () => {
    const harness = await cachedList()
    harness.backend.put(generation('m', 4, { prompt: 'moved in' }))
    harness.deliver(change('UPDATE', { new: { ...generation('m', 4, { prompt: 'moved in' }) }, old: { id: 'm' } }, 1))
    expect(harness.ids()).toEqual(['a', 'b'])
    await harness.clock.advance(1_000)
    expect(harness.fetches()).toBe(2)
    expect(harness.ids()).toEqual(['a', 'b', 'm'])
  })

  it('ignores an UPDATE older than the cached row (last write wins on version)', async () => {
    const harness = await cachedList()
    harness.deliver(change('UPDATE', { new: { ...generation('a', 9, { prompt: 'newest' }) } }, 5))
    harness.deliver(change('UPDATE', { new: { ...generation('a', 7, { prompt: 'older' }) } }, 6))
    harness.deliver(change('UPDATE', { new: { ...generation('b', 0, { prompt: 'older than the fetch' }) } }, 7))
    await harness.clock.advance(1_000)
    expect(harness.list()?.map((row) => row.prompt)).toEqual(['newest', 'prompt b'])
    expect(harness.fetches()).toBe(1)
  })

  it('ignores an event committed before the last one applied to its row, even without a version', async () => {
    const harness = await cachedList()
    harness.deliver(change('UPDATE', { new: { ...generation('a', 3, { prompt: 'second' }) } }, 20))
    harness.deliver(change('UPDATE', { new: { ...generation('a', 3, { prompt: 'first' }) } }, 10))
    await harness.clock.advance(1_000)
    expect(harness.list()?.[0]?.prompt).toBe('second')
  })

  it('applies a duplicated event once: the second is a no-op and writes nothing', async () => {
    const harness = await cachedList()
    const insert = change('INSERT', { new: { ...generation('c', 3) } }, 1)
    harness.deliver(insert)
    const writes = patchActions(harness)
    harness.deliver(insert)
    harness.deliver(insert, insert)
    await harness.clock.advance(1_000)
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
    expect(patchActions(harness)).toBe(writes)
    expect(harness.fetches()).toBe(1)
  })

  it('does not resurrect a deleted row when an older UPDATE arrives after its DELETE', async () => {
    const harness = await cachedList()
    harness.deliver(change('DELETE', { old: { id: 'a' } }, 30))
    harness.deliver(change('UPDATE', { new: { ...generation('a', 4, { prompt: 'late' }) } }, 29))
    await harness.clock.advance(1_000)
    expect(harness.ids()).toEqual(['b'])
    expect(harness.fetches()).toBe(1)
  })

  it('re-inserts a row whose INSERT was committed after its DELETE', async () => {
    const harness = await cachedList()
    harness.deliver(change('DELETE', { old: { id: 'a' } }, 30))
    harness.deliver(change('INSERT', { new: { ...generation('a', 8, { prompt: 'back' }) } }, 31))
    await harness.clock.advance(1_000)
    expect(harness.ids()).toEqual(['b', 'a'])
    expect(harness.fetches()).toBe(1)
  })

  it('does not remove a re-inserted row when its older DELETE arrives late', async () => {
    const harness = await cachedList()
    harness.deliver(change('INSERT', { new: { ...generation('c', 8) } }, 31))
    harness.deliver(change('DELETE', { old: { id: 'c' } }, 30))
    await harness.clock.advance(1_000)
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
  })

  it('refetches instead of guessing when a write to a deleted row has no commit timestamp', async () => {
    const harness = await cachedList()
    harness.deliver(change('DELETE', { old: { id: 'a' } }, null))
    harness.backend.put(generation('a', 9, { prompt: 'truth' }))
    harness.deliver(change('INSERT', { new: { ...generation('a', 9, { prompt: 'truth' }) } }, null))
    await harness.clock.advance(1_000)
    expect(harness.fetches()).toBe(2)
    expect(harness.list()?.find((row) => row.id === 'a')?.prompt).toBe('truth')
  })

  it('writes one cache update per list for a batch of many events, applied in arrival order', async () => {
    const harness = await cachedList()
    const before = patchActions(harness)
    const events = Array.from({ length: 50 }, (_, i) =>
      change('UPDATE', { new: { ...generation('a', 10, { prompt: `edit ${i}` }) } }, 10 + i),
    )
    harness.deliver(...events, change('INSERT', { new: { ...generation('c', 3) } }, 59))
    await harness.clock.advance(1_000)
    expect(patchActions(harness) - before).toBe(1)
    expect(harness.list()?.[0]?.prompt).toBe('edit 49')
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
  })

  it('invalidates fallbackTags instead of patching a list that is not cached (nothing refetches when nothing provides them)', async () => {
    const harness = await cachedList()
    harness.deliver(change('INSERT', { new: { ...generation('z', 3, { project_id: 'p9' }) } }, 1))
    await harness.clock.advance(1_000)
    expect(harness.list('p9')).toBeUndefined()
    expect(harness.fetches()).toBe(1)
    expect(harness.invalidations()).toEqual([[{ type: 'Generations', id: 'p9' }]])
  })

  it('refreshes a list cached under other args than the route names, rather than leaving it stale', async () => {
    const routes = defineRoutes<unknown>()([
      {
        on: { table: 'generations' },
        patch: { endpoint: 'generations', args: (e) => ({ projectId: String(e.new?.project_id), limit: 50 }) },
        fallbackTags: (e) => [{ type: 'Generations', id: String(e.new?.project_id) }],
      },
    ])
    const h = lists.listHarness({ routes })
    h.backend.put(generation('a', 1))
    await h.mount('p1')
    h.backend.put(generation('c', 3))
    h.deliver(change('INSERT', { new: { ...generation('c', 3) } }, 1))
    await h.clock.advance(1_000)
    expect(h.fetches()).toBe(2)
    expect(h.ids()).toEqual(['a', 'c'])
  })

  it('patches a list whose refetch is in flight, and refetches once more after it (the fetch may predate the event)', async () => {
    const harness = await cachedList()
    harness.backend.hold()
    harness.store.dispatch(harness.api.util.invalidateTags([{ type: 'Generations', id: 'p1' }]))
    await harness.clock.advance(0)
    harness.backend.put(generation('c', 3))
    harness.deliver(change('INSERT', { new: { ...generation('c', 3) } }, 1))
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
    harness.backend.release()
    await harness.clock.advance(1_000)
    expect(harness.fetches()).toBe(3)
    expect(harness.ids()).toEqual(['a', 'b', 'c'])
  })

  it("refetches after an in-flight fetch under invalidationBehavior: 'immediately' too", async () => {
    const h = lists.listHarness({}, { invalidationBehavior: 'immediately' })
    h.backend.put(generation('a', 1))
    await h.mount('p1')
    h.backend.hold()
    h.store.dispatch(h.api.util.invalidateTags([{ type: 'Generations', id: 'p1' }]))
    await h.clock.advance(0)
    h.backend.put(generation('c', 3))
    h.deliver(change('INSERT', { new: { ...generation('c', 3) } }, 1))
    h.backend.release()
    await h.clock.advance(1_000)
    expect(h.fetches()).toBe(3)
    expect(h.ids()).toEqual(['a', 'c'])
  })

  it('logs patches and fallbacks once per kind, without row data', async () => {
    const harness = await cachedList()
    for (let i = 0; i < 3; i++) {
      harness.deliver(change('INSERT', { new: { ...generation(`n${i}`, 3, { prompt: 'SECRET-PROMPT' }) } }, i))
      harness.deliver(
        change('UPDATE', { new: { id: 'a', project_id: 'p1', updated_at: generation('a', 9).updated_at } }, 10 + i),
      )
      await harness.clock.advance(1_000)
    }
    expect(harness.routerLines(/patches generations/)).toHaveLength(1)
    expect(harness.routerLines(/lacks columns/)).toHaveLength(1)
    expect(harness.logs.some((entry) => entry.line.includes('SECRET-PROMPT'))).toBe(false)
  })
})
