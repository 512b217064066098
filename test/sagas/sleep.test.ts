import { describe, expect, it } from 'vitest'
import { MAX_TIMER_MS, sleep } from '../../src/sagas/effects'
import { FakeClock } from '../support/fakeClock'

describe('sleep', () => {
  it('waits a delay longer than a timer takes in steps, never arming a timer over the limit', async () => {
    const clock = new FakeClock(0)
    let done = false
    void sleep(clock, MAX_TIMER_MS + 5_000).then(() => (done = true))
    expect(Math.max(...clock.pendingDelays())).toBeLessThanOrEqual(MAX_TIMER_MS)
    await clock.advance(MAX_TIMER_MS)
    expect(done).toBe(false)
    expect(clock.pendingDelays()).toEqual([5_000])
    await clock.advance(5_000)
    expect(done).toBe(true)
  })

  it('resolves a short delay once, on time', async () => {
    const clock = new FakeClock(0)
    let resolvedAt: number | null = null
    void sleep(clock, 250).then(() => (resolvedAt = clock.now()))
    await clock.advance(300)
    expect(resolvedAt).toBe(250)
    expect(clock.pendingTimers()).toBe(0)
  })
})
