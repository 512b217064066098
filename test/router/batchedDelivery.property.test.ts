import type { UnknownAction } from '@reduxjs/toolkit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRouterHarness, type RouterHarness } from '../support/routerHarness'
import { bc } from '../support/routerFixtures'

const BATCH_MS = 16
const THROTTLE_MS = 500
const PROJECTS = ['p1', 'p2', 'p3'] as const

/** One arrival: how long after the previous one, and which project's tag it touches. */
const arrival = fc.record({
  // Bursts inside one frame, gaps of about a frame, and quiet periods past the throttle window.
  gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 21, max: 700 })),
  project: fc.constantFrom(...PROJECTS),
})

interface Stamped {
  at: number
  action: UnknownAction
}

/** Advances the fake clock timer by timer up to `until`, stamping each new action with the time it was dispatched. */
async function advanceStamping(h: RouterHarness, until: number, stamped: Stamped[]): Promise<void> {
  const stamp = () => {
    for (const action of h.actions.slice(stamped.length)) stamped.push({ at: h.clock.now(), action })
  }
  stamp()
  while (h.clock.now() < until) {
    const next = h.clock.pendingDelays().find((delay) => delay > 0) ?? Number.POSITIVE_INFINITY
    await h.clock.advance(Math.min(next, until - h.clock.now()))
    stamp()
  }
}

/** Plays the arrivals on a joined topic with p1..p3 mounted; returns the deliveries and invalidations, timed. */
async function play(arrivals: Array<{ gapMs: number; project: string }>) {
  const h = createRouterHarness({}, { seed: 7 })
  try {
    h.subscribe('project:p1', [])
    await h.clock.advance(100)
    for (const project of PROJECTS) h.mount('projectGenerations', project)
    await h.clock.advance(0)
    const stamped: Stamped[] = h.actions.map((action) => ({ at: Number.NEGATIVE_INFINITY, action }))
    const sent: Array<{ seq: number; project: string; at: number }> = []
    for (const [seq, { gapMs, project }] of arrivals.entries()) {
      await advanceStamping(h, h.clock.now() + gapMs, stamped)
      sent.push({ seq, project, at: h.clock.now() })
      h.emit(bc('GENERATIONS_UPDATED', { projectId: project, seq }))
    }
    await advanceStamping(h, h.clock.now() + 3 * THROTTLE_MS, stamped)
    const batches = stamped.filter(({ action }) => h.realtime.events.eventsReceived.match(action))
    const delivered = batches.flatMap(({ at, action }) =>
      (action as ReturnType<typeof h.realtime.events.eventsReceived>).payload.events.map((event) => ({
        seq: (event as { payload: { seq: number } }).payload.seq,
        at,
      })),
    )
    const invalidations = stamped
      .filter(({ action }) => h.api.util.invalidateTags.match(action))
      .flatMap(({ at, action }) =>
        ((action as unknown as { payload: Array<{ id: string }> }).payload ?? []).map((tag) => ({
          at,
          project: tag.id.slice(8),
        })),
      )
    return { sent, delivered, invalidations, metrics: h.metrics() }
  } finally {
    h.stop()
  }
}

// Forty seeded runs of a real store: more than the default 5 s on a loaded machine (no timing is asserted).
describe(
  'event delivery through both paths (at once after a quiet frame, batched within one)',
  { timeout: 60_000 },
  () => {
    it('drops nothing, keeps order, and holds the per-tag leading and trailing throttle for random arrival times', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(arrival, { minLength: 1, maxLength: 40 }), async (arrivals) => {
          const { sent, delivered, invalidations, metrics } = await play(arrivals)

          // Nothing dropped, nothing duplicated, order preserved.
          expect(delivered.map(({ seq }) => seq)).toEqual(sent.map(({ seq }) => seq))
          expect(metrics.eventsRouted).toBe(sent.length)

          for (const event of sent) {
            const deliveredAt = delivered[event.seq]!.at
            // At once when no batch was open (no earlier event went out in the frame before), else at the window's end.
            const batchOpen = delivered.some(({ seq, at }) => seq < event.seq && at > event.at - BATCH_MS)
            if (!batchOpen) expect(deliveredAt).toBe(event.at)
            else expect(deliveredAt - event.at).toBeGreaterThan(0)
            expect(deliveredAt - event.at).toBeLessThanOrEqual(BATCH_MS)

            const ofTag = invalidations.filter((entry) => entry.project === event.project)
            // Leading edge: a tag with no invalidation in the last window is invalidated on delivery.
            if (!ofTag.some(({ at }) => at > deliveredAt - THROTTLE_MS && at < deliveredAt))
              expect(ofTag.some(({ at }) => at === deliveredAt)).toBe(true)
            // Nothing lost: an invalidation of its tag follows within one throttle window.
            expect(ofTag.some(({ at }) => at >= deliveredAt && at <= deliveredAt + THROTTLE_MS)).toBe(true)
          }

          for (const project of PROJECTS) {
            const times = invalidations.filter((entry) => entry.project === project).map(({ at }) => at)
            // Throttled: never two invalidations of one tag within a window.
            for (let index = 1; index < times.length; index += 1)
              expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(THROTTLE_MS)
            // Every invalidation has an event of its tag behind it (its leading one, or one it trails).
            for (const at of times)
              expect(
                delivered.some(
                  ({ seq, at: deliveredAt }) =>
                    sent[seq]!.project === project && deliveredAt <= at && deliveredAt >= at - THROTTLE_MS,
                ),
              ).toBe(true)
          }
        }),
        { seed: 1_701, numRuns: 40 },
      )
    })
  },
)
