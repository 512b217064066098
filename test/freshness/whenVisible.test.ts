import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_WHEN_VISIBLE_TIMEOUT_MS } from '../../src/freshness/whenVisibleOptions'
import { change, createListHarness, generation, type ListHarness } from '../router/listSupport'
import { finishHarness } from '../support/harness'

let h: ListHarness | undefined
afterEach(() => {
  finishHarness(h)
  h = undefined
})

const P1 = [{ type: 'Generations', id: 'p1' }]

/** p1's list cached (row a at minute 1), kept fresh by project:p1's subscription. */
async function cachedP1() {
  h = createListHarness()
  h.backend.put(generation('a', 1))
  h.realtime.subscribe({
    topic: 'project:p1',
    postgres: [{ event: '*', schema: 'public', table: 'generations', filter: 'project_id=eq.p1' }],
    tags: P1,
  })
  await h.mount('p1')
  await h.clock.advance(2_000)
  return h
}

/** The outcome of a promise, or 'pending' if it has not settled yet (microtasks flushed). */
async function outcome<T>(promise: Promise<T>): Promise<T | 'pending' | { rejected: unknown }> {
  let result: T | 'pending' | { rejected: unknown } = 'pending'
  promise.then(
    (value) => (result = value),
    (error: unknown) => (result = { rejected: error }),
  )
  for (let i = 0; i < 10; i++) await Promise.resolve()
  return result
}

const pendingWrites = (harness: ListHarness) =>
  harness.realtime.selectors.selectFreshness('generations', { projectId: 'p1' })(harness.store.getState()).pendingWrites

describe('whenVisible (read-your-writes)', () => {
  it('resolves visible when realtime brings the row, counting it in pendingWrites meanwhile', async () => {
    const harness = await cachedP1()
    const wait = harness.realtime.whenVisible({ table: 'generations', key: 'b' })
    expect(await outcome(wait)).toBe('pending')
    expect(pendingWrites(harness)).toBe(1)
    harness.deliver(change('INSERT', { new: { ...generation('b', 2) } }, 1))
    await harness.clock.advance(0)
    expect(await outcome(wait)).toBe('visible')
    expect(pendingWrites(harness)).toBe(0)
  })

  it('resolves visible when a refetch brings the row (no event at all)', async () => {
    const harness = await cachedP1()
    const wait = harness.realtime.whenVisible({ table: 'generations', key: 'b' })
    harness.backend.put(generation('b', 2))
    harness.store.dispatch(harness.api.util.invalidateTags(P1 as never))
    await harness.clock.advance(10)
    expect(await outcome(wait)).toBe('visible')
  })

  it('resolves at once when the row is already cached', async () => {
    const harness = await cachedP1()
    expect(await outcome(harness.realtime.whenVisible({ table: 'generations', key: 'a' }))).toBe('visible')
    expect(pendingWrites(harness)).toBe(0)
  })

  it('waits for at least the version written', async () => {
    const harness = await cachedP1()
    const version = generation('a', 5).updated_at
    const wait = harness.realtime.whenVisible({ table: 'generations', key: 'a', version })
    harness.deliver(change('UPDATE', { new: { ...generation('a', 3) } }, 1))
    await harness.clock.advance(0)
    expect(await outcome(wait)).toBe('pending')
    harness.deliver(change('UPDATE', { new: { ...generation('a', 5) } }, 2))
    await harness.clock.advance(0)
    expect(await outcome(wait)).toBe('visible')
  })

  it('times out after 10 s on the injected clock, invalidating the covering tags', async () => {
    const harness = await cachedP1()
    const wait = harness.realtime.whenVisible({ table: 'generations', key: 'never' })
    const before = harness.invalidations().length
    await harness.clock.advance(DEFAULT_WHEN_VISIBLE_TIMEOUT_MS - 1)
    expect(await outcome(wait)).toBe('pending')
    await harness.clock.advance(1)
    expect(await outcome(wait)).toBe('timed-out')
    expect(harness.invalidations().slice(before)).toContainEqual(P1)
    expect(pendingWrites(harness)).toBe(0)
  })

  it('rejects with the reason when aborted, before or during the wait', async () => {
    const harness = await cachedP1()
    const controller = new AbortController()
    const wait = harness.realtime.whenVisible({ table: 'generations', key: 'b', signal: controller.signal })
    controller.abort(new Error('left the page'))
    expect(await outcome(wait)).toEqual({ rejected: new Error('left the page') })
    expect(pendingWrites(harness)).toBe(0)
    const late = harness.realtime.whenVisible({ table: 'generations', key: 'b', signal: controller.signal })
    expect(await outcome(late)).toEqual({ rejected: new Error('left the page') })
  })

  it('leaves no wait behind when realtime stops: each resolves stopped', async () => {
    const harness = await cachedP1()
    const wait = harness.realtime.whenVisible({ table: 'generations', key: 'b' })
    harness.stop()
    expect(await outcome(wait)).toBe('stopped')
    // Its timer went with it: nothing is invalidated when the 10 s would have passed.
    const before = harness.invalidations().length
    await harness.clock.advance(DEFAULT_WHEN_VISIBLE_TIMEOUT_MS * 2)
    expect(harness.invalidations()).toHaveLength(before)
  })

  it('names the bad option with a TypeError at the call site', async () => {
    const harness = await cachedP1()
    const whenVisible = harness.realtime.whenVisible as (options: unknown) => Promise<unknown>
    expect(() => whenVisible(undefined)).toThrow(TypeError)
    expect(() => whenVisible({ key: 'a' })).toThrow(/options\.table/)
    expect(() => whenVisible({ table: 'generations' })).toThrow(/options\.key is required/)
    expect(() => whenVisible({ table: 'generations', key: {} })).toThrow(/options\.key must be/)
    expect(() => whenVisible({ table: 'generations', key: 'a', timeoutMs: 0 })).toThrow(/options\.timeoutMs/)
    expect(() => whenVisible({ table: 'generations', key: 'a', version: {} })).toThrow(/options\.version/)
    expect(() => whenVisible({ table: 'generations', key: 'a', signal: {} })).toThrow(/options\.signal/)
  })
})

describe('whenVisible default tags with Broadcast from Database', () => {
  it('waits on the tags of the subscription whose changes.tables carry the table, not on every active tag', async () => {
    const harness = (h = createListHarness())
    harness.backend.put(generation('a', 1))
    harness.realtime.subscribe({
      topic: 'project:p1',
      private: true,
      changes: { via: 'broadcast', tables: ['generations'] },
      tags: P1,
    })
    const P2 = [{ type: 'Generations', id: 'p2' }]
    harness.realtime.subscribe({
      topic: 'project:p2',
      postgres: [{ event: '*', schema: 'public', table: 'shots' }],
      tags: P2,
    })
    await harness.mount('p1')
    await harness.mount('p2')
    await harness.clock.advance(2_000)
    const pendingOf = (projectId: string) =>
      harness.realtime.selectors.selectFreshness('generations', { projectId })(harness.store.getState()).pendingWrites
    const wait = harness.realtime.whenVisible({ table: 'generations', key: 'b' })
    expect(await outcome(wait)).toBe('pending')
    expect([pendingOf('p1'), pendingOf('p2')]).toEqual([1, 0])
    const before = harness.invalidations().length
    await harness.clock.advance(DEFAULT_WHEN_VISIBLE_TIMEOUT_MS)
    expect(await outcome(wait)).toBe('timed-out')
    expect(harness.invalidations().slice(before)).toContainEqual(P1)
    expect(harness.invalidations().slice(before)).not.toContainEqual(P2)
  })
})
