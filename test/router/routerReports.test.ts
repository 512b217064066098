import { afterEach, describe, expect, it } from 'vitest'
import { createRouterHarness, type RouterHarness } from '../support/routerHarness'
import { bc } from '../support/routerFixtures'

let h: RouterHarness | null = null
afterEach(() => {
  h?.stop()
  h = null
})

async function joinedWithQueries() {
  h = createRouterHarness()
  h.subscribe('project:p1', [])
  await h.clock.advance(100)
  for (const project of ['p1', 'p2', 'p3']) h.mount('projectGenerations', project)
  await h.clock.advance(0)
  return h
}

function receive(harness: RouterHarness, projectId: string) {
  const event = { ...bc('GENERATIONS_UPDATED', { projectId }), receivedAt: harness.clock.now() }
  harness.store.dispatch(harness.realtime.events.eventsReceived({ events: [event], at: harness.clock.now() }))
}

describe('router reports', () => {
  it('sends the reports of one turn to the slice as one routerReported, with every count and sample', async () => {
    const harness = await joinedWithQueries()
    const reports = () => harness.payloadsOf(harness.realtime.events.routerReported)
    const before = reports().length
    for (const projectId of ['p1', 'p2', 'p3', 'p1']) receive(harness, projectId)
    // Each event was routed and invalidated in its own dispatch (three leading edges, one coalesced)…
    expect(harness.invalidations()).toHaveLength(3)
    expect(reports()).toHaveLength(before)
    // …and the slice hears of all four once, on the next microtask.
    await Promise.resolve()
    expect(reports().slice(before)).toEqual([
      expect.objectContaining({ routed: 4, issued: 3, coalesced: 1, eventToInvalidationMs: [0, 0, 0] }),
    ])
    expect(harness.metrics()).toMatchObject({ eventsRouted: 4, invalidationsIssued: 3, invalidationsCoalesced: 1 })
  })

  it('sends what is waiting at once when the router stops', async () => {
    const harness = await joinedWithQueries()
    receive(harness, 'p1')
    harness.stop()
    expect(harness.metrics()).toMatchObject({ eventsRouted: 1, invalidationsIssued: 1 })
  })

  it('logs a batch whose routing throws once, skips it, and routes the batches behind it', async () => {
    const harness = await joinedWithQueries()
    // A batch that the reducer can read but the router cannot (its second walk throws).
    const hostileBatch = () => {
      const events = [bc('GENERATIONS_UPDATED', { projectId: 'p1' })]
      let walks = 0
      Object.defineProperty(events, Symbol.iterator, {
        value: () => {
          walks += 1
          if (walks > 1) throw new Error('hostile batch')
          return Array.prototype[Symbol.iterator].call(events)
        },
      })
      return events
    }
    for (let i = 0; i < 2; i++)
      expect(() =>
        harness.store.dispatch(
          harness.realtime.events.eventsReceived({ events: hostileBatch(), at: harness.clock.now() }),
        ),
      ).not.toThrow()
    receive(harness, 'p2')
    await harness.clock.advance(0)
    expect(harness.logs.filter((log) => log.line.includes('routing a batch of events failed'))).toHaveLength(1)
    expect(harness.metrics().eventsRouted).toBe(1)
    expect(harness.fetches('projectGenerations', 'p2')).toBe(2)
  })
})
