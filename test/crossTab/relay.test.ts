import { afterEach, describe, expect, it } from 'vitest'
import { MAX_RELAY_TAGS } from '../../src/crossTab/protocol'
import { createTabs } from './support/tabsHarness'

let world: ReturnType<typeof createTabs> | null = null
afterEach(() => {
  world?.stopAll()
  world = null
})

/** Tabs a and b (realtime down, so nothing but the relay and polls invalidates), b showing p1's and p2's todos. */
async function twoTabs() {
  world = createTabs()
  const a = world.open('a')
  const b = world.open('b')
  b.mount('todos', 'p1')
  b.mount('todos', 'p2')
  await world.clock.advance(2_000)
  return { a, b }
}

const invalidations = (posted: unknown[]) =>
  posted.filter((message) => (message as { kind?: string }).kind === 'invalidate')

describe('cross-tab mutation relay', () => {
  it("refetches another tab's queries that provide a tag a local mutation invalidated, and only those", async () => {
    const { a, b } = await twoTabs()
    await a.mutate('addTodo', { projectId: 'p1' })
    await world!.clock.advance(10)
    expect(b.fetches('todos:p1')).toBe(2)
    expect(b.fetches('todos:p2')).toBe(1)
    expect(invalidations(a.tab.posted)).toEqual([
      { v: 1, kind: 'invalidate', from: a.crossTab().tabId, tags: [{ type: 'Todos', id: 'p1' }] },
    ])
    expect(a.crossTab()).toMatchObject({ relaysSent: 1, relaysReceived: 0 })
    expect(b.crossTab()).toMatchObject({ relaysSent: 0, relaysReceived: 1, relaysApplied: 1, relaysDropped: 0 })
  })

  it('does not relay an invalidation it received (no echo between tabs)', async () => {
    const { a, b } = await twoTabs()
    a.mount('todos', 'p1')
    await a.mutate('addTodo', { projectId: 'p1' })
    await world!.clock.advance(1_000)
    expect(invalidations(b.tab.posted)).toEqual([])
    expect(a.crossTab().relaysReceived).toBe(0)
  })

  it('counts a relay for tags this tab does not use as received, and refetches nothing', async () => {
    const { a, b } = await twoTabs()
    await a.mutate('addTodo', { projectId: 'p9' })
    await world!.clock.advance(10)
    expect(b.crossTab()).toMatchObject({ relaysReceived: 1, relaysApplied: 0 })
    expect(b.fetches('todos:p1') + b.fetches('todos:p2')).toBe(2)
  })

  it('relays the tags of a mutation that failed with a base query error, as RTK Query invalidates on those too', async () => {
    const { a, b } = await twoTabs()
    await a.mutate('addTodo', { projectId: 'p2', fail: true })
    await world!.clock.advance(10)
    expect(b.fetches('todos:p2')).toBe(2)
  })

  it('relays static tag lists, strings included, as full tags', async () => {
    const { a, b } = await twoTabs()
    b.mount('projects')
    await world!.clock.advance(10)
    await a.mutate('renameProject', 'new name')
    await world!.clock.advance(10)
    expect(invalidations(a.tab.posted)).toEqual([
      {
        v: 1,
        kind: 'invalidate',
        from: a.crossTab().tabId,
        tags: [{ type: 'Projects' }, { type: 'Todos', id: 'LIST' }],
      },
    ])
    expect(b.fetches('projects')).toBe(2)
  })

  it('relays nothing for a mutation without invalidatesTags, or for invalidations that are not mutations', async () => {
    const { a } = await twoTabs()
    await a.mutate('ping')
    a.store.dispatch(a.api.util.invalidateTags([{ type: 'Todos', id: 'p1' }]))
    await world!.clock.advance(10)
    expect(invalidations(a.tab.posted)).toEqual([])
  })

  it('splits a very large invalidation into messages of at most MAX_RELAY_TAGS tags', async () => {
    const { a, b } = await twoTabs()
    await a.mutate('touchProjects', MAX_RELAY_TAGS + 10)
    await world!.clock.advance(10)
    const sent = invalidations(a.tab.posted) as Array<{ tags: unknown[] }>
    expect(sent.map((message) => message.tags.length)).toEqual([MAX_RELAY_TAGS, 10])
    expect(b.crossTab()).toMatchObject({ relaysReceived: 2, relaysApplied: 1, relaysDropped: 0 })
    expect(b.fetches('todos:p1')).toBe(2)
  })
})
