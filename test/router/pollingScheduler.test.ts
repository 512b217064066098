import { describe, expect, it } from 'vitest'
import type { ConnectionState } from '../../src/policy/connectionTransition'
import { DEFAULT_POLLING } from '../../src/policy/pollingPolicy'
import { PollingScheduler, type PollingView } from '../../src/router/pollingScheduler'
import { FakeClock } from '../support/fakeClock'

function setup(initial: PollingView = { connection: 'connected', visible: true, degraded: false }) {
  const clock = new FakeClock(0)
  const view: PollingView = { ...initial }
  const polls: Array<{ at: number; reason: string }> = []
  const cadences: Array<number | null> = []
  let failNext = 0
  const scheduler = new PollingScheduler(
    clock,
    () => 0.5, // no jitter: cadences are exactly the bases
    { ...DEFAULT_POLLING },
    () => view,
    (reason) => {
      polls.push({ at: clock.now(), reason })
      if (failNext > 0) {
        failNext -= 1
        throw new Error('a reducer downstream threw')
      }
    },
    (intervalMs) => cadences.push(intervalMs),
  )
  const set = (connection: ConnectionState, visible = view.visible) => {
    view.connection = connection
    view.visible = visible
    scheduler.replan()
  }
  const setDegraded = (degraded: boolean) => {
    view.degraded = degraded
    scheduler.replan()
  }
  return { clock, scheduler, polls, cadences, set, setDegraded, failNextPolls: (n: number) => (failNext = n) }
}

describe('PollingScheduler', () => {
  it('polls on the safety net while healthy and on the dead-mode cadence while down', async () => {
    const { clock, scheduler, polls, cadences, set } = setup()
    scheduler.replan()
    await clock.advance(60_000)
    expect(polls).toEqual([{ at: 60_000, reason: 'safety-net' }])
    set('reconnecting')
    await clock.advance(15_000)
    expect(polls.slice(1)).toEqual([
      { at: 65_000, reason: 'dead-mode' },
      { at: 70_000, reason: 'dead-mode' },
      { at: 75_000, reason: 'dead-mode' },
    ])
    expect(cadences).toEqual([60_000, 5_000])
    expect(scheduler.current()).toBe(5_000)
  })

  it('polls at once when a poll is already overdue under the new cadence', async () => {
    const { clock, polls, set, scheduler } = setup()
    scheduler.replan()
    await clock.advance(20_000)
    set('reconnecting')
    await clock.advance(0)
    expect(polls).toEqual([{ at: 20_000, reason: 'dead-mode' }])
  })

  it('slows to the hidden cadence while hidden and down', async () => {
    const { clock, polls, set } = setup({ connection: 'suspended', visible: false, degraded: false })
    set('suspended', false)
    await clock.advance(45_000)
    expect(polls.map((poll) => poll.at)).toEqual([15_000, 30_000, 45_000])
  })

  it('keeps polling after a poll throws', async () => {
    const { clock, polls, set, failNextPolls } = setup()
    set('disabled')
    failNextPolls(1)
    await expect(clock.advance(5_000)).rejects.toThrow('a reducer downstream threw')
    await clock.advance(10_000)
    expect(polls.map((poll) => poll.at)).toEqual([5_000, 10_000, 15_000])
  })

  it('does not poll while healthy with the safety net off, and leaves no timer after stop()', async () => {
    const clock = new FakeClock(0)
    const polls: number[] = []
    const scheduler = new PollingScheduler(
      clock,
      () => 0.5,
      { ...DEFAULT_POLLING, healthyMs: 0 },
      () => ({ connection: 'connected', visible: true, degraded: false }),
      () => polls.push(clock.now()),
      () => undefined,
    )
    scheduler.replan()
    expect(scheduler.current()).toBeNull()
    expect(clock.pendingTimers()).toBe(0)
    await clock.advance(600_000)
    expect(polls).toEqual([])
    const { scheduler: down, clock: downClock, set } = setup()
    set('failed')
    expect(downClock.pendingTimers()).toBe(1)
    down.stop()
    expect(downClock.pendingTimers()).toBe(0)
  })
})

describe('PollingScheduler, when a topic stops being live on a working connection', () => {
  it('polls it first one cadence after it stopped being live, even when the last poll was long ago', async () => {
    const { clock, scheduler, polls, setDegraded } = setup()
    scheduler.replan()
    await clock.advance(40_000)
    setDegraded(true)
    await clock.advance(4_999)
    expect(polls).toEqual([])
    await clock.advance(1)
    expect(polls).toEqual([{ at: 45_000, reason: 'degraded' }])
  })

  it('polls at once when it is already overdue under a faster cadence (hidden, then shown)', async () => {
    const { clock, scheduler, polls, set, setDegraded } = setup()
    scheduler.replan()
    set('connected', false)
    setDegraded(true)
    await clock.advance(10_000)
    expect(polls).toEqual([])
    set('connected', true)
    await clock.advance(0)
    expect(polls).toEqual([{ at: 10_000, reason: 'degraded' }])
  })
})
