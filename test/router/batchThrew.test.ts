import type { Middleware } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it } from 'vitest'
import { createHarness, finishHarness, type Harness } from '../support/harness'
import { change, createListApi, generation, ListBackend, patchRoutes } from './listSupport'

let current: Harness | undefined
afterEach(() => {
  finishHarness(current)
  current = undefined
})

/**
 * Project p1's list cached and subscribed on its topic, in a store where the next `fault`
 * action (matched by `matches`) throws: a failure inside the router's patching or issuing.
 */
async function withFaultyStore(matches: (type: string) => boolean) {
  const backend = new ListBackend()
  const api = createListApi(backend)
  let armed = false
  const faulty: Middleware = (store) => {
    const inner = api.middleware(store)
    return (next) => {
      const handle = inner(next)
      return (action) => {
        if (armed && matches((action as { type: string }).type)) {
          armed = false
          throw new Error('boom')
        }
        return handle(action)
      }
    }
  }
  const harness = createHarness({ api: { ...api, middleware: faulty } as typeof api, routes: patchRoutes })
  current = harness
  harness.realtime.subscribe({
    topic: 'project:p1',
    postgres: [{ event: '*', schema: 'public', table: 'generations' }],
    tags: [{ type: 'Generations', id: 'p1' }],
  })
  backend.put(generation('a', 1))
  harness.store.dispatch(api.endpoints.generations.initiate({ projectId: 'p1' }) as never)
  await harness.clock.advance(100)
  backend.put(generation('a', 1), generation('c', 3))
  const deliver = () =>
    harness.store.dispatch(
      harness.realtime.events.eventsReceived({
        events: [{ ...change('INSERT', { new: { ...generation('c', 3) } }, 1), receivedAt: harness.clock.now() }],
        at: harness.clock.now(),
      }),
    )
  return {
    harness,
    arm: () => (armed = true),
    deliver,
    fetches: () => backend.count('generations'),
    ids: () =>
      (api.endpoints.generations.select({ projectId: 'p1' })(harness.store.getState() as never).data ?? []).map(
        (row) => row.id,
      ),
    metrics: () => harness.realtime.selectors.selectMetrics(harness.store.getState()),
  }
}

describe('A batch whose routing throws is counted and its topics refetched, never lost', () => {
  it('counts ROUTE_BATCH_THREW and refetches the topic when writing a patch throws', async () => {
    const setup = await withFaultyStore((type) => type.endsWith('/queryResultPatched'))
    const before = setup.fetches()
    setup.arm()
    expect(() => setup.deliver()).not.toThrow()
    await setup.harness.clock.advance(1_000)
    expect(setup.metrics().errorsByType.ROUTE_BATCH_THREW).toBe(1)
    expect(setup.fetches()).toBe(before + 1)
    expect(setup.ids()).toEqual(['a', 'c'])
  })

  it('counts ROUTE_BATCH_THREW and refetches the topic when issuing an invalidation throws', async () => {
    const setup = await withFaultyStore((type) => type.endsWith('/invalidateTags'))
    const before = setup.fetches()
    setup.arm()
    // A row Realtime trimmed cannot be patched: it falls back to invalidating its tags, and that throws.
    setup.harness.store.dispatch(
      setup.harness.realtime.events.eventsReceived({
        events: [
          {
            ...change('UPDATE', { new: { ...generation('a', 5) }, old: { id: 'a' } }, 2),
            receivedAt: setup.harness.clock.now(),
            errors: ['Error 413: Payload Too Large'],
          },
        ],
        at: setup.harness.clock.now(),
      }),
    )
    await setup.harness.clock.advance(1_000)
    expect(setup.metrics().errorsByType.ROUTE_BATCH_THREW).toBe(1)
    expect(setup.fetches()).toBe(before + 1)
    expect(setup.harness.logs.filter((entry) => /routing a batch of events failed/.test(entry.line))).toHaveLength(1)
  })
})
