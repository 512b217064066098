import { afterEach, describe, expect, it } from 'vitest'
import { addPlaceholder } from '../../src/optimistic/addPlaceholder'
import { isPending } from '../../src/optimistic/placeholderList'
import { cachedListPerTest, change, generation, type Generation, type ListHarness } from '../router/listSupport'

const { cachedList, finish } = cachedListPerTest()
afterEach(finish)

/** A placeholder tile for a generation being created with client request id `requestId`. */
function tile(requestId: string): Generation {
  return { id: requestId, project_id: 'p1', prompt: 'queued', updated_at: '', client_request_id: requestId }
}

function place(
  harness: ListHarness,
  id: string,
  options: { ttlMs?: number; requestIdKey?: 'client_request_id'; projectId?: string } = {},
) {
  const { projectId = 'p1', ...rest } = options
  return harness.store.dispatch(addPlaceholder(harness.api, 'generations', { projectId }, tile(id), { id, ...rest }))
}

async function refetch(harness: ListHarness) {
  harness.store.dispatch(harness.api.util.invalidateTags([{ type: 'Generations', id: 'p1' }]))
  await harness.clock.advance(0)
}

const pendingIds = (harness: ListHarness) => (harness.list() ?? []).filter(isPending).map((row) => row.id)

describe('addPlaceholder: optimistic items that survive refetches until their rows arrive', () => {
  it('inserts a pending item at the start of the cached list at once', async () => {
    const harness = await cachedList()
    const handle = place(harness, 'r1')
    expect(harness.ids()).toEqual(['r1', 'a', 'b'])
    expect(harness.list()?.[0]).toMatchObject({ id: 'r1', prompt: 'queued', pending: true })
    expect(isPending(harness.list()?.[0])).toBe(true)
    expect(isPending(harness.list()?.[1])).toBe(false)
    expect(handle).toMatchObject({ id: 'r1', confirm: expect.any(Function), rollback: expect.any(Function) })
  })

  it('puts the placeholder back in the same dispatch as a refetch that lacks its row (no flicker)', async () => {
    const harness = await cachedList()
    place(harness, 'r1')
    await refetch(harness)
    expect(harness.fetches()).toBe(2)
    expect(harness.ids()).toEqual(['r1', 'a', 'b'])
    const types = harness.actions.map((action) => action.type)
    const fulfilled = types.lastIndexOf('listApi/executeQuery/fulfilled')
    expect(types[fulfilled + 1]).toBe('listApi/queries/queryResultPatched')
  })

  it('drops the placeholder once a refetch brings its row (same id), leaving the real row only', async () => {
    const harness = await cachedList()
    place(harness, 'r1')
    harness.backend.put(generation('r1', 3))
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b', 'r1'])
    expect(pendingIds(harness)).toEqual([])
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b', 'r1'])
  })

  it('drops the placeholder once a row carrying its client request id arrives', async () => {
    const harness = await cachedList()
    place(harness, 'req-1', { requestIdKey: 'client_request_id' })
    harness.backend.put(generation('g-77', 3, { client_request_id: 'req-1' }))
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b', 'g-77'])
  })

  it('removes a placeholder past its ttl, with or without a refetch', async () => {
    const harness = await cachedList()
    place(harness, 'r1', { ttlMs: 5_000 })
    place(harness, 'r2', { ttlMs: 60_000 })
    await harness.clock.advance(4_999)
    expect(pendingIds(harness)).toEqual(['r2', 'r1'])
    await harness.clock.advance(1)
    expect(pendingIds(harness)).toEqual(['r2'])
    await refetch(harness)
    expect(pendingIds(harness)).toEqual(['r2'])
    await harness.clock.advance(55_000)
    expect(pendingIds(harness)).toEqual([])
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b'])
  })

  it('keeps several placeholders through refetches and settles them in any order', async () => {
    const harness = await cachedList()
    const first = place(harness, 'r1')
    const second = place(harness, 'r2')
    const third = place(harness, 'r3')
    await refetch(harness)
    expect(pendingIds(harness)).toEqual(['r3', 'r2', 'r1'])
    third.confirm(generation('r3', 9))
    first.rollback()
    expect(harness.ids()).toEqual(['r3', 'r2', 'a', 'b'])
    harness.backend.put(generation('r3', 9), generation('r2', 8))
    second.confirm()
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b', 'r3', 'r2'])
    expect(pendingIds(harness)).toEqual([])
  })

  it('confirm(row) swaps the real row in place; confirm and rollback are idempotent and never remove a real row', async () => {
    const harness = await cachedList()
    const handle = place(harness, 'r1')
    handle.confirm(generation('r1', 4))
    expect(harness.ids()).toEqual(['r1', 'a', 'b'])
    expect(isPending(harness.list()?.[0])).toBe(false)
    handle.confirm(generation('r1', 5))
    handle.rollback()
    handle.rollback()
    expect(harness.list()?.[0]).toEqual(generation('r1', 4))
  })

  it('confirm(row) never lists a row twice when a patch already brought it under another id', async () => {
    const harness = await cachedList()
    const handle = place(harness, 'req-1')
    harness.deliver(change('INSERT', { new: { ...generation('g-9', 3) } }, 1))
    expect(harness.ids()).toEqual(['req-1', 'a', 'b', 'g-9'])
    handle.confirm(generation('g-9', 3))
    expect(harness.ids()).toEqual(['a', 'b', 'g-9'])
  })

  it('rollback after a refetch replaced the placeholder with its row is a no-op', async () => {
    const harness = await cachedList()
    const handle = place(harness, 'r1')
    harness.backend.put(generation('r1', 3))
    await refetch(harness)
    handle.rollback()
    expect(harness.ids()).toEqual(['a', 'b', 'r1'])
  })

  it('rollback removes a waiting placeholder at once and for good', async () => {
    const harness = await cachedList()
    const handle = place(harness, 'r1')
    handle.confirm()
    expect(pendingIds(harness)).toEqual(['r1'])
    handle.rollback()
    expect(harness.ids()).toEqual(['a', 'b'])
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b'])
  })

  it('does not bring back a row deleted while its placeholder waited', async () => {
    const harness = await cachedList()
    place(harness, 'r1')
    harness.backend.put(generation('r1', 3))
    await refetch(harness)
    harness.backend.rows.delete('r1')
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b'])
  })

  it('stays gone when a realtime DELETE of its row arrives while it waits (created and deleted before any refetch)', async () => {
    const harness = await cachedList()
    place(harness, 'r1')
    harness.deliver(change('DELETE', { old: { id: 'r1' } }, 1))
    expect(harness.ids()).toEqual(['a', 'b'])
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b'])
  })

  it('keeps a placeholder removed when the app deletes it optimistically from the cache', async () => {
    const harness = await cachedList()
    place(harness, 'r1')
    harness.store.dispatch(
      harness.api.util.updateQueryData('generations', { projectId: 'p1' }, (draft) =>
        draft.filter((row) => row.id !== 'r1'),
      ) as never,
    )
    expect(harness.ids()).toEqual(['a', 'b'])
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b'])
  })

  it('waits for a list that is not cached yet and appears with its first fetch', async () => {
    const harness = await cachedList()
    harness.backend.put(generation('x', 1, { project_id: 'p2' }))
    place(harness, 'r1', { projectId: 'p2' })
    expect(harness.list('p2')).toBeUndefined()
    await harness.mount('p2')
    expect(harness.ids('p2')).toEqual(['r1', 'x'])
  })

  it('is replaced in place, without a refetch, by a patch-mode INSERT of its row', async () => {
    const harness = await cachedList()
    place(harness, 'r1')
    harness.deliver(change('INSERT', { new: { ...generation('r1', 3) } }, 1))
    expect(harness.ids()).toEqual(['r1', 'a', 'b'])
    expect(isPending(harness.list()?.[0])).toBe(false)
    await refetch(harness)
    expect(pendingIds(harness)).toEqual([])
  })

  it('leaves the list when a patch-mode INSERT brings a row with its client request id', async () => {
    const harness = await cachedList()
    place(harness, 'req-1', { requestIdKey: 'client_request_id' })
    harness.deliver(change('INSERT', { new: { ...generation('g-9', 3, { client_request_id: 'req-1' }) } }, 1))
    expect(harness.ids()).toEqual(['a', 'b', 'g-9'])
    expect(harness.fetches()).toBe(1)
  })

  it('lets the newest handle own an id added twice to the same list', async () => {
    const harness = await cachedList()
    const older = place(harness, 'r1')
    const newer = harness.store.dispatch(
      addPlaceholder(
        harness.api,
        'generations',
        { projectId: 'p1' },
        { ...tile('r1'), prompt: 'retried' },
        { id: 'r1' },
      ),
    )
    expect(harness.ids()).toEqual(['r1', 'a', 'b'])
    expect(harness.list()?.[0]?.prompt).toBe('retried')
    older.rollback()
    expect(pendingIds(harness)).toEqual(['r1'])
    newer.rollback()
    expect(pendingIds(harness)).toEqual([])
  })

  it('forgets its placeholders and timers when realtime stops', async () => {
    const harness = await cachedList()
    const timers = harness.clock.pendingTimers()
    place(harness, 'r1')
    expect(harness.clock.pendingTimers()).toBe(timers + 1)
    harness.stop()
    await refetch(harness)
    expect(harness.ids()).toEqual(['a', 'b'])
  })
})
