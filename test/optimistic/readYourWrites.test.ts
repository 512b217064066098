import { afterEach, describe, expect, it } from 'vitest'
import { addPlaceholder } from '../../src/optimistic/addPlaceholder'
import { isPending } from '../../src/optimistic/placeholderList'
import { cachedListPerTest, generation, type ListHarness } from '../router/listSupport'

const { cachedList, finish } = cachedListPerTest()
afterEach(finish)

async function refetch(harness: ListHarness) {
  harness.store.dispatch(harness.api.util.invalidateTags([{ type: 'Generations', id: 'p1' }]))
  await harness.clock.advance(0)
}

const pendingIds = (harness: ListHarness) => (harness.list() ?? []).filter(isPending).map((row) => row.id)

describe('addPlaceholder with versionKey: confirmed only when the list holds the written version', () => {
  it('stays pending after confirm(row) until a refetch brings the row at that version or newer', async () => {
    const harness = await cachedList()
    const handle = harness.store.dispatch(
      addPlaceholder(harness.api, 'generations', { projectId: 'p1' }, generation('r1', 0), {
        id: 'r1',
        versionKey: 'updated_at',
      }),
    )
    handle.confirm(generation('r1', 5))
    expect(pendingIds(harness)).toEqual(['r1'])

    harness.backend.put(generation('r1', 3))
    await refetch(harness)
    expect(pendingIds(harness)).toEqual(['r1'])

    harness.backend.put(generation('r1', 5))
    await refetch(harness)
    expect(pendingIds(harness)).toEqual([])
    expect(harness.list()?.filter((row) => row.id === 'r1')).toEqual([generation('r1', 5)])
  })

  it('before a versioned confirm, the row with the key replaces the placeholder, as without versionKey', async () => {
    const harness = await cachedList()
    const handle = harness.store.dispatch(
      addPlaceholder(harness.api, 'generations', { projectId: 'p1' }, generation('r2', 0), {
        id: 'r2',
        versionKey: 'updated_at',
      }),
    )
    harness.backend.put(generation('r2', 7))
    await refetch(harness)
    // A refetch without a versioned confirm: the row with the key is enough, as without versionKey.
    expect(pendingIds(harness)).toEqual([])
    handle.confirm(generation('r2', 7))
    expect(harness.ids()).toContain('r2')
  })

  it('names a bad versionKey', async () => {
    const harness = await cachedList()
    expect(() =>
      harness.store.dispatch(
        addPlaceholder(harness.api, 'generations', { projectId: 'p1' }, generation('r3', 0), {
          id: 'r3',
          versionKey: '' as 'updated_at',
        }),
      ),
    ).toThrow(/options\.versionKey/)
  })
})

describe('addPlaceholder with versionKey and a server-assigned id', () => {
  it('keeps the placeholder (one, pending) after confirm(row) until the row with the new id arrives, then drops it', async () => {
    const harness = await cachedList()
    const handle = harness.store.dispatch(
      addPlaceholder(harness.api, 'generations', { projectId: 'p1' }, generation('tmp-1', 0), {
        id: 'tmp-1',
        versionKey: 'updated_at',
        ttlMs: 10 * 60_000,
      }),
    )
    handle.confirm(generation('g-9', 5))
    expect(pendingIds(harness)).toEqual(['tmp-1'])

    await refetch(harness)
    expect(pendingIds(harness)).toEqual(['tmp-1'])

    harness.backend.put(generation('g-9', 5))
    await refetch(harness)
    expect(pendingIds(harness)).toEqual([])
    expect(harness.ids()).toEqual(['a', 'b', 'g-9'])
  })
})
