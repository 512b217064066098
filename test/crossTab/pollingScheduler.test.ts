import { describe, expect, it } from 'vitest'
import { createTabRoleSource } from '../../src/crossTab/roleSource'
import { DEFAULT_POLLING } from '../../src/policy/pollingPolicy'
import { PollingScheduler, type PollingView } from '../../src/router/pollingScheduler'
import { FakeClock } from '../support/fakeClock'

function setup() {
  const clock = new FakeClock(0)
  const tabRole = createTabRoleSource()
  const view: PollingView = { connection: 'reconnecting', visible: true, degraded: false }
  const polls: number[] = []
  const cadences: Array<number | null> = []
  const scheduler = new PollingScheduler(
    clock,
    () => 0.5,
    { ...DEFAULT_POLLING, tabRole },
    () => view,
    () => polls.push(clock.now()),
    (intervalMs) => cadences.push(intervalMs),
  )
  return { clock, tabRole, scheduler, polls, cadences }
}

describe('PollingScheduler with a cross-tab role', () => {
  it('polls an uncovered follower as a lone tab, slows to the hidden cadence while its leader covers it, and speeds up again when not, polling at once when overdue', async () => {
    const { clock, tabRole, scheduler, polls, cadences } = setup()
    tabRole.set('solo')
    scheduler.replan()
    tabRole.set('follower')
    expect(cadences).toEqual([5_000])
    tabRole.setCovered(true)
    expect(cadences).toEqual([5_000, 15_000])
    await clock.advance(30_000)
    expect(polls).toEqual([15_000, 30_000])
    await clock.advance(8_000)
    tabRole.setCovered(false)
    await clock.advance(0)
    expect(polls).toEqual([15_000, 30_000, 38_000])
    expect(cadences).toEqual([5_000, 15_000, 5_000])
    scheduler.stop()
  })

  it('polls a leader on the visible cadence whatever the coverage says', async () => {
    const { clock, tabRole, scheduler, polls, cadences } = setup()
    tabRole.set('leader')
    tabRole.setCovered(true)
    scheduler.replan()
    await clock.advance(10_000)
    expect(cadences).toEqual([5_000])
    expect(polls).toEqual([5_000, 10_000])
    scheduler.stop()
  })

  it('stops following the role once stopped', async () => {
    const { clock, tabRole, scheduler, cadences } = setup()
    scheduler.replan()
    scheduler.stop()
    tabRole.set('follower')
    tabRole.setCovered(true)
    await clock.advance(60_000)
    expect(cadences).toEqual([5_000])
    expect(clock.pendingTimers()).toBe(0)
  })
})
