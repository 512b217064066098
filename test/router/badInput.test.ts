import { afterEach, describe, expect, it } from 'vitest'
import { defineRoutes } from '../../src/router/defineRoutes'
import type { RealtimeEvent } from '../../src/events/events'
import { canonicalRoutes, type CanonicalApi } from '../support/canonicalRoutes'
import { createRouterHarness, type RouterHarness } from '../support/routerHarness'
import { bc, pg } from '../support/routerFixtures'

let h: RouterHarness | null = null
afterEach(() => {
  h?.stop()
  h = null
})

const routes = defineRoutes<CanonicalApi>()([
  {
    on: { table: 'explodes' },
    tags: () => {
      throw new Error('boom')
    },
  },
  ...canonicalRoutes,
])

async function setup() {
  h = createRouterHarness({ routes })
  h.mount('projectGenerations', 'p1')
  h.mount('projectGenerations', 'p2')
  await h.clock.advance(100)
  return h
}

/** Dispatches one batch straight into the store, as the batch saga would. */
function deliver(harness: RouterHarness, events: unknown[]) {
  harness.store.dispatch(
    harness.realtime.events.eventsReceived({ events: events as RealtimeEvent[], at: harness.clock.now() }),
  )
}

/** A valid event behind the bad input must still be routed and refetched. */
async function expectStillRouted(harness: RouterHarness, projectId: string) {
  const before = harness.fetches('projectGenerations', projectId)
  const routed = harness.metrics().eventsRouted
  await harness.clock.advance(1_000)
  deliver(harness, [bc('GENERATIONS_UPDATED', { projectId }, harness.clock.now())])
  await harness.clock.advance(1_000)
  expect(harness.metrics().eventsRouted).toBe(routed + 1)
  expect(harness.fetches('projectGenerations', projectId)).toBe(before + 1)
}

const routerLines = (harness: RouterHarness, pattern: RegExp) =>
  harness.logs.filter((entry) => entry.line.startsWith('[InvalidationRouter]') && pattern.test(entry.line))

const GARBAGE: unknown[] = [
  null,
  undefined,
  42,
  'text',
  {},
  [],
  { kind: 'postgres_changes', topic: 't' },
  { kind: 'broadcast', topic: 't', receivedAt: '1', event: 7 },
  { kind: 'presence', topic: 't', receivedAt: 1 },
]

describe('InvalidationRouter on bad input, end to end', () => {
  it('counts garbage events, logs them once, and routes and refetches the event behind them', async () => {
    const harness = await setup()
    deliver(harness, [...GARBAGE, bc('GENERATIONS_UPDATED', { projectId: 'p1' }, harness.clock.now())])
    deliver(harness, GARBAGE)
    await harness.clock.advance(0)
    expect(harness.metrics()).toMatchObject({ eventsMalformed: 2 * GARBAGE.length, eventsRouted: 1 })
    expect(harness.metrics().errorsByType.MALFORMED_EVENT).toBe(2 * GARBAGE.length)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(2)
    expect(routerLines(harness, /malformed/)).toHaveLength(1)
    await expectStillRouted(harness, 'p1')
  })

  it('counts a route that throws, logs it once, and routes and refetches the events behind it', async () => {
    const harness = await setup()
    const now = harness.clock.now()
    deliver(harness, [
      pg('explodes', 'INSERT', {}, now),
      pg('explodes', 'UPDATE', {}, now),
      bc('GENERATIONS_UPDATED', { projectId: 'p2' }, now),
    ])
    await harness.clock.advance(0)
    expect(harness.metrics().errorsByType.ROUTE_THREW).toBe(2)
    expect(harness.fetches('projectGenerations', 'p2')).toBe(2)
    expect(routerLines(harness, /threw/)).toHaveLength(1)
    await expectStillRouted(harness, 'p1')
  })

  it('counts a 5 MB payload, logs it once without its content, skips it, and routes and refetches the event behind it', async () => {
    const harness = await setup()
    const blob = 'x'.repeat(5 * 1024 * 1024)
    deliver(harness, [
      bc('GENERATIONS_UPDATED', { projectId: 'p1', blob }, harness.clock.now()),
      bc('GENERATIONS_UPDATED', { projectId: 'p2', blob }, harness.clock.now()),
    ])
    await harness.clock.advance(0)
    expect(harness.metrics().errorsByType.PAYLOAD_TOO_LARGE).toBe(2)
    expect(harness.metrics().eventsMalformed).toBe(2)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(1)
    expect(routerLines(harness, /larger than/)).toHaveLength(1)
    expect(harness.logs.every((entry) => entry.line.length < 1_000)).toBe(true)
    await expectStillRouted(harness, 'p1')
  })

  it('routes a burst of 100,000 events on one tag with one refetch per window, and routes the event behind it', async () => {
    const harness = await setup()
    const now = harness.clock.now()
    deliver(
      harness,
      Array.from({ length: 100_000 }, (_, i) => bc('GENERATIONS_UPDATED', { projectId: 'p1', i }, now)),
    )
    await harness.clock.advance(0)
    expect(harness.metrics()).toMatchObject({ eventsRouted: 100_000, invalidationsIssued: 1 })
    expect(harness.fetches('projectGenerations', 'p1')).toBe(2)
    deliver(harness, [bc('GENERATIONS_UPDATED', { projectId: 'p1' }, harness.clock.now())])
    await harness.clock.advance(1_000)
    // The event behind the burst, inside the window, became the trailing refetch.
    expect(harness.fetches('projectGenerations', 'p1')).toBe(3)
    await expectStillRouted(harness, 'p2')
  })

  // More distinct tags than a spread can pass as arguments (V8 ~125,000 here, JavaScriptCore 65,536).
  // A big batch: a loaded machine needs more than the default 5 s (no timing is asserted).
  it('routes a burst of 150,000 events on distinct tags without losing the batch', async () => {
    const harness = await setup()
    const now = harness.clock.now()
    deliver(
      harness,
      Array.from({ length: 150_000 }, (_, i) =>
        bc('GENERATIONS_UPDATED', { projectId: i === 149_999 ? 'p2' : `other-${i}` }, now),
      ),
    )
    await harness.clock.advance(0)
    expect(harness.metrics()).toMatchObject({ eventsRouted: 150_000, invalidationsIssued: 150_000 })
    expect(harness.fetches('projectGenerations', 'p2')).toBe(2)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(1)
    await expectStillRouted(harness, 'p1')
  }, 30_000)

  it('keeps routing after a batch of every kind of bad input at once', async () => {
    const harness = await setup()
    const now = harness.clock.now()
    deliver(harness, [
      ...GARBAGE,
      pg('explodes', 'INSERT', {}, now),
      bc('GENERATIONS_UPDATED', { blob: 'y'.repeat(5 * 1024 * 1024) }, now),
      pg('unknown_table', 'INSERT', {}, now),
    ])
    await harness.clock.advance(0)
    expect(harness.metrics()).toMatchObject({
      eventsUnmatched: 1,
      eventsRouted: 1,
      eventsMalformed: GARBAGE.length + 1,
    })
    await expectStillRouted(harness, 'p1')
    await expectStillRouted(harness, 'p2')
  })
})
