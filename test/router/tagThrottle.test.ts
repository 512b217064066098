import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CHURN_FLOOR_MS, TagThrottle, type ThrottledTag } from '../../src/router/tagThrottle'
import { FakeClock } from '../support/fakeClock'

/** A throttle on a fake clock that records every invalidation it lets through, with its time. */
function setup(windowMs = 500) {
  const clock = new FakeClock(0)
  const issued: Array<{ at: number; key: string; eventAt: number; edge: 'leading' | 'trailing' }> = []
  const throttle = new TagThrottle(clock, windowMs, (due) => {
    for (const entry of due) issued.push({ at: clock.now(), key: entry.key, eventAt: entry.eventAt, edge: 'trailing' })
  })
  const offer = (...keys: string[]) => {
    const result = throttle.offer(keys.map((key): ThrottledTag => ({ key, tag: { type: key }, eventAt: clock.now() })))
    for (const entry of result.now)
      issued.push({ at: clock.now(), key: entry.key, eventAt: entry.eventAt, edge: 'leading' })
    return result
  }
  const of = (key: string) => issued.filter((entry) => entry.key === key)
  return { clock, throttle, issued, offer, of }
}

describe('TagThrottle', () => {
  it('lets the first event for a tag through at once (leading edge)', () => {
    const { offer, issued } = setup()
    expect(offer('A')).toEqual({ now: [{ key: 'A', tag: { type: 'A' }, eventAt: 0 }], coalesced: 0 })
    expect(issued).toEqual([{ at: 0, key: 'A', eventAt: 0, edge: 'leading' }])
  })

  it('coalesces further events in the window into one trailing invalidation at its end', async () => {
    const { clock, offer, issued } = setup()
    offer('A')
    for (let i = 0; i < 3; i++) {
      await clock.advance(100)
      expect(offer('A')).toEqual({ now: [], coalesced: 1 })
    }
    await clock.advance(199)
    expect(issued).toHaveLength(1)
    await clock.advance(1)
    // The trailing invalidation carries the earliest coalesced event, for latency metrics.
    expect(issued).toEqual([
      { at: 0, key: 'A', eventAt: 0, edge: 'leading' },
      { at: 500, key: 'A', eventAt: 100, edge: 'trailing' },
    ])
    await clock.advance(5_000)
    expect(issued).toHaveLength(2)
  })

  it('closes a quiet window without an invalidation and leads again afterwards', async () => {
    const { clock, offer, throttle, issued } = setup()
    offer('A')
    await clock.advance(500)
    expect(throttle.size()).toBe(0)
    expect(clock.pendingTimers()).toBe(0)
    expect(offer('A').now).toHaveLength(1)
    expect(issued.map((entry) => entry.edge)).toEqual(['leading', 'leading'])
  })

  it('throttles each tag on its own', async () => {
    const { clock, offer, of } = setup()
    offer('A')
    await clock.advance(200)
    expect(offer('B').now).toHaveLength(1)
    await clock.advance(100)
    offer('A')
    await clock.advance(300)
    offer('B')
    await clock.advance(2_000)
    expect(of('A').map(({ at, edge }) => [at, edge])).toEqual([
      [0, 'leading'],
      [500, 'trailing'],
    ])
    expect(of('B').map(({ at, edge }) => [at, edge])).toEqual([
      [200, 'leading'],
      [700, 'trailing'],
    ])
  })

  it('de-duplicates a tag offered twice in one batch', () => {
    const { offer, issued } = setup()
    expect(offer('A', 'A', 'B')).toMatchObject({ coalesced: 1 })
    expect(issued.map((entry) => entry.key)).toEqual(['A', 'B'])
  })

  it('lets at most 3 invalidations through for 1,000 events on one tag within a second, and loses none', async () => {
    const { clock, offer, of } = setup()
    for (let i = 0; i < 1_000; i++) {
      offer('A')
      await clock.advance(1)
    }
    // 1,000 offers over [0, 999]; the second ends at 1000.
    expect(of('A').filter((entry) => entry.at <= 1_000).length).toBeLessThanOrEqual(3)
    await clock.advance(5_000)
    const all = of('A')
    expect(all.map(({ at, edge }) => [at, edge])).toEqual([
      [0, 'leading'],
      [500, 'trailing'],
      [1_000, 'trailing'],
    ])
    // The event at 999 is covered by the invalidation at 1000.
    expect(all[all.length - 1]!.at).toBeGreaterThanOrEqual(999)
  })

  it(`never lets the window drop below ${CHURN_FLOOR_MS} ms under churn`, async () => {
    const { clock, offer, of } = setup(100)
    offer('A')
    await clock.advance(50)
    offer('A')
    await clock.advance(50)
    expect(of('A').map((entry) => entry.at)).toEqual([0, 100])
    // Still churning: the next window lasts the floor, not 100 ms.
    offer('A')
    await clock.advance(CHURN_FLOOR_MS - 1)
    expect(of('A')).toHaveLength(2)
    await clock.advance(1)
    expect(of('A').map((entry) => entry.at)).toEqual([0, 100, 100 + CHURN_FLOOR_MS])
  })

  it('leaves no timers and no windows after clear()', async () => {
    const { clock, offer, throttle, issued } = setup()
    offer('A', 'B')
    await clock.advance(100)
    offer('A', 'C')
    expect(clock.pendingTimers()).toBeGreaterThan(0)
    throttle.clear()
    expect(clock.pendingTimers()).toBe(0)
    expect(throttle.size()).toBe(0)
    await clock.advance(10_000)
    expect(issued.map((entry) => entry.edge)).toEqual(['leading', 'leading', 'leading'])
  })

  it('lets a trailing invalidation carry the event behind it rather than an earlier poll (for event latency)', async () => {
    const { clock, throttle } = setup()
    const due: ThrottledTag[] = []
    const tracked = new TagThrottle(clock, 500, (entries) => due.push(...entries))
    tracked.offer([{ key: 'A', tag: { type: 'A' }, eventAt: 0 }])
    await clock.advance(100)
    tracked.offer([{ key: 'A', tag: { type: 'A' }, eventAt: 100, synthetic: true }])
    await clock.advance(100)
    tracked.offer([{ key: 'A', tag: { type: 'A' }, eventAt: 200 }])
    await clock.advance(100)
    tracked.offer([{ key: 'A', tag: { type: 'A' }, eventAt: 300, synthetic: true }])
    await clock.advance(500)
    expect(due).toEqual([{ key: 'A', tag: { type: 'A' }, eventAt: 200 }])
    throttle.clear()
  })

  it('lets the first event after a poll or catch-up through at once, and coalesces synthetic ones with each other', async () => {
    const { clock } = setup()
    const now: ThrottledTag[] = []
    const due: ThrottledTag[] = []
    const throttle = new TagThrottle(clock, 500, (entries) => due.push(...entries))
    const offer = (entry: ThrottledTag) => now.push(...throttle.offer([entry]).now)
    offer({ key: 'A', tag: { type: 'A' }, eventAt: 0, synthetic: true })
    await clock.advance(50)
    // The catch-up of the rejoin a recover() caused: held for the window's end, not a second refetch now.
    offer({ key: 'A', tag: { type: 'A' }, eventAt: 50, synthetic: true })
    await clock.advance(50)
    offer({ key: 'A', tag: { type: 'A' }, eventAt: 100 })
    await clock.advance(50)
    offer({ key: 'A', tag: { type: 'A' }, eventAt: 150 })
    expect(now.map((entry) => entry.eventAt)).toEqual([0, 100])
    await clock.advance(350)
    // One trailing invalidation covers both the held catch-up and the event after the leading one.
    expect(due).toEqual([{ key: 'A', tag: { type: 'A' }, eventAt: 150 }])
    throttle.clear()
  })

  it('keeps one timer however many tags are open', () => {
    const { offer, clock } = setup()
    offer(...Array.from({ length: 500 }, (_, i) => `T${i}`))
    expect(clock.pendingTimers()).toBe(1)
  })

  it('covers every event by a later invalidation of its tag, spaced at least a window apart', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 700 }), fc.constantFrom('A', 'B', 'C')), { maxLength: 60 }),
        async (steps) => {
          const { clock, offer, of, throttle } = setup()
          const offered: Array<{ key: string; at: number }> = []
          for (const [wait, key] of steps) {
            await clock.advance(wait)
            offered.push({ key, at: clock.now() })
            offer(key)
          }
          await clock.advance(2_000)
          for (const event of offered) expect(of(event.key).some((entry) => entry.at >= event.at)).toBe(true)
          for (const key of ['A', 'B', 'C']) {
            const times = of(key).map((entry) => entry.at)
            for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(500)
          }
          expect(throttle.size()).toBe(0)
          expect(clock.pendingTimers()).toBe(0)
        },
      ),
      { numRuns: 100 },
    )
  })
})
