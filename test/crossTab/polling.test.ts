import { afterEach, describe, expect, it } from 'vitest'
import { createTabs, type Tab } from './support/tabsHarness'

let world: ReturnType<typeof createTabs> | null = null
afterEach(() => {
  world?.stopAll()
  world = null
})

/** Refetches of a tab's mounted `todos p1` over `ms` of fake time. */
async function refetchesOver(tab: Tab, ms: number) {
  const before = tab.fetches('todos:p1')
  await world!.clock.advance(ms)
  return tab.fetches('todos:p1') - before
}

/** The dead-mode polls a tab's own scheduler made so far. */
const ownPolls = (tab: Tab) => tab.logs.filter((log) => log.line.includes('poll (dead-mode)')).length

/** Two visible tabs with realtime down, each keeping `todos p1` fresh through a subscription. */
async function twoTabsDown() {
  world = createTabs()
  const tabs = [world.open('a'), world.open('b')]
  for (const tab of tabs) {
    tab.mount('todos', 'p1')
    tab.realtime.subscribe({
      topic: 'project:p1',
      postgres: [{ event: '*', schema: 'public', table: 'todos' }],
      tags: [{ type: 'Todos', id: 'p1' }],
    })
  }
  await world.clock.advance(3_000)
  expect(world.roles()).toEqual(['leader', 'follower'])
  return tabs as [Tab, Tab]
}

describe('cross-tab polling cadence', () => {
  it("polls the leader on the visible dead-mode cadence for both tabs: the follower's own cadence is the hidden one, and the leader's relayed polls keep it fresh", async () => {
    const [leader, follower] = await twoTabsDown()
    expect(leader.pollingInterval()).toBeGreaterThanOrEqual(4_000)
    expect(leader.pollingInterval()).toBeLessThanOrEqual(6_000)
    expect(follower.pollingInterval()).toBeGreaterThanOrEqual(14_000)
    expect(follower.pollingInterval()).toBeLessThanOrEqual(16_000)
    const before = [leader.fetches('todos:p1'), follower.fetches('todos:p1')]
    const followerPollsBefore = ownPolls(follower)
    await world!.clock.advance(60_000)
    const leaderCount = leader.fetches('todos:p1') - before[0]!
    const followerCount = follower.fetches('todos:p1') - before[1]!
    expect(leaderCount).toBeGreaterThanOrEqual(10)
    expect(followerCount).toBeGreaterThanOrEqual(10)
    const followerPolls = ownPolls(follower) - followerPollsBefore
    expect(followerPolls).toBeGreaterThanOrEqual(3)
    expect(followerPolls).toBeLessThanOrEqual(5)
  })

  it('speeds the follower up to the visible cadence once it takes over from a closed leader', async () => {
    const [leader, follower] = await twoTabsDown()
    world!.crash(leader)
    await world!.clock.advance(5_000)
    expect(follower.crossTab().leaderId).toBe(follower.crossTab().tabId)
    expect(follower.pollingInterval()).toBeLessThanOrEqual(6_000)
    expect(await refetchesOver(follower, 60_000)).toBeGreaterThanOrEqual(10)
  })

  it('polls a lone tab exactly as without cross-tab', async () => {
    world = createTabs()
    const solo = world.open('a')
    const off = world.open('b', { crossTab: { enabled: false } })
    for (const tab of [solo, off]) {
      tab.mount('todos', 'p1')
      tab.realtime.subscribe({
        topic: 'project:p1',
        postgres: [{ event: '*', schema: 'public', table: 'todos' }],
        tags: [{ type: 'Todos', id: 'p1' }],
      })
    }
    await world.clock.advance(3_000)
    expect(world.roles()).toEqual(['solo', 'off'])
    expect(solo.pollingInterval()).toBeLessThanOrEqual(6_000)
    expect(off.pollingInterval()).toBeLessThanOrEqual(6_000)
  })
})
