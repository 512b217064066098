import { afterEach, describe, expect, it } from 'vitest'
import { MAX_RELAY_TAGS } from '../../src/crossTab/protocol'
import { createTabs, type Tab } from './support/tabsHarness'

let world: ReturnType<typeof createTabs> | null = null
afterEach(() => {
  world?.stopAll()
  world = null
})

const CHANNEL = 'rtk-supabase-realtime:realtime'

/** Shows a project's todos in a tab, kept fresh through a subscription as a mounted component would. */
function show(tab: Tab, project: string) {
  tab.mount('todos', project)
  tab.realtime.subscribe({
    topic: `project:${project}`,
    postgres: [{ event: '*', schema: 'public', table: 'todos' }],
    tags: [{ type: 'Todos', id: project }],
  })
}

/** The dead-mode polls a tab's own scheduler made so far. */
const ownPolls = (tab: Tab) => tab.logs.filter((log) => log.line.includes('poll (dead-mode)')).length

/** Refetches of a tab's query over `ms` of fake time, and the longest wait (fake ms) without one. */
async function refetchesOver(tab: Tab, endpoint: string, ms: number) {
  const first = tab.fetches(endpoint)
  let seen = first
  let last = world!.clock.now()
  let longestWait = 0
  for (let elapsed = 0; elapsed < ms; elapsed += 100) {
    await world!.clock.advance(100)
    const now = world!.clock.now()
    if (tab.fetches(endpoint) !== seen) {
      seen = tab.fetches(endpoint)
      last = now
    }
    longestWait = Math.max(longestWait, now - last)
  }
  return { count: seen - first, longestWait }
}

const connection = (tab: Tab) => tab.realtime.selectors.selectConnectionState(tab.store.getState())
const pollRelays = (tab: Tab) =>
  tab.tab.posted.filter((message) => (message as { cause?: string }).cause === 'poll') as Array<{ tags: unknown[] }>

/** Tabs opened in order (the first leads), each showing its projects; settled. */
async function openTabs(specs: Array<{ name: string; projects: string[]; visible?: boolean; realtimeUp?: boolean }>) {
  world = createTabs()
  const tabs = specs.map(({ name, visible, realtimeUp }) => world!.open(name, { visible, realtimeUp }))
  specs.forEach((spec, index) => spec.projects.forEach((project) => show(tabs[index]!, project)))
  await world.clock.advance(3_000)
  expect(world.roles()).toEqual(['leader', ...specs.slice(1).map(() => 'follower')])
  return tabs
}

describe('cross-tab poll sharing', () => {
  it('polls a visible follower whose realtime is off on the visible cadence while its healthy leader does not poll', async () => {
    const [leader, follower] = await openTabs([
      { name: 'a', projects: ['p1'], realtimeUp: true },
      { name: 'b', projects: ['p1'], realtimeUp: true },
    ])
    follower!.store.dispatch(follower!.realtime.actions.disable())
    await world!.clock.advance(2_000)
    expect([connection(leader!), connection(follower!)]).toEqual(['connected', 'disabled'])
    expect(follower!.pollingInterval()).toBeGreaterThanOrEqual(4_000)
    expect(follower!.pollingInterval()).toBeLessThanOrEqual(6_000)
    const { count, longestWait } = await refetchesOver(follower!, 'todos:p1', 60_000)
    expect(count).toBeGreaterThanOrEqual(10)
    expect(longestWait).toBeLessThanOrEqual(6_000)
    expect(follower!.pollingInterval()).toBeLessThanOrEqual(6_000)
    expect(pollRelays(leader!)).toEqual([])
  })

  it("covers a visible follower's tags with the leader's poll when every tab is down, the follower polling on the hidden cadence itself", async () => {
    const [leader, follower] = await openTabs([
      { name: 'a', projects: ['p1'] },
      { name: 'b', projects: ['p1', 'p2'] },
    ])
    expect(leader!.pollingInterval()).toBeLessThanOrEqual(6_000)
    expect(follower!.pollingInterval()).toBeGreaterThanOrEqual(14_000)
    expect(follower!.pollingInterval()).toBeLessThanOrEqual(16_000)
    const followerPolls = ownPolls(follower!)
    const onlyTheFollowers = await refetchesOver(follower!, 'todos:p2', 60_000)
    expect(onlyTheFollowers.count).toBeGreaterThanOrEqual(10)
    expect(onlyTheFollowers.longestWait).toBeLessThanOrEqual(6_100)
    expect(ownPolls(follower!) - followerPolls).toBeGreaterThanOrEqual(3)
    expect(ownPolls(follower!) - followerPolls).toBeLessThanOrEqual(5)
    const relays = pollRelays(leader!)
    expect(relays.length).toBeGreaterThanOrEqual(10)
    expect(relays.at(-1)).toEqual({
      v: 1,
      kind: 'invalidate',
      from: leader!.crossTab().tabId,
      tags: [
        { type: 'Todos', id: 'p1' },
        { type: 'Todos', id: 'p2' },
      ],
      cause: 'poll',
    })
    expect(follower!.crossTab().relaysApplied).toBeGreaterThanOrEqual(10)
    // The leader's own cache has no p2 query: invalidating its tag there refetches nothing.
    expect(leader!.fetches('todos:p2')).toBe(0)
  })

  it("keeps a hidden follower on its own hidden cadence: it ignores the leader's poll relays until it is shown", async () => {
    const [, visible, hidden] = await openTabs([
      { name: 'a', projects: ['p1'] },
      { name: 'b', projects: ['p1'] },
      { name: 'c', projects: ['p1'], visible: false },
    ])
    const seen = await refetchesOver(visible!, 'todos:p1', 30_000)
    const hiddenPolls = ownPolls(hidden!)
    const ignored = await refetchesOver(hidden!, 'todos:p1', 30_000)
    expect(seen.count).toBeGreaterThanOrEqual(5)
    expect(ignored.count).toBe(ownPolls(hidden!) - hiddenPolls)
    expect(ignored.count).toBeLessThanOrEqual(5)
    expect(hidden!.crossTab().relaysReceived).toBeGreaterThanOrEqual(10)
    expect(hidden!.crossTab().relaysApplied).toBe(0)

    hidden!.visibility.set(true)
    await world!.clock.advance(2_000)
    expect(hidden!.pollingInterval()).toBeGreaterThanOrEqual(14_000)
    const shown = await refetchesOver(hidden!, 'todos:p1', 30_000)
    expect(shown.count).toBeGreaterThanOrEqual(5)
    expect(shown.longestWait).toBeLessThanOrEqual(6_100)
  })

  it('does not slow down a follower with more tags than a heartbeat may announce', async () => {
    const [leader, follower] = await openTabs([
      { name: 'a', projects: ['p1'] },
      { name: 'b', projects: ['p1'] },
    ])
    follower!.realtime.subscribe({
      topic: 'many',
      tags: Array.from({ length: MAX_RELAY_TAGS }, (_, i) => ({ type: 'Todos', id: `x${i}` })),
    })
    await world!.clock.advance(2_000)
    expect(follower!.pollingInterval()).toBeLessThanOrEqual(6_000)
    const heartbeats = follower!.tab.posted.filter((message) => (message as { kind?: string }).kind === 'heartbeat')
    expect(heartbeats.at(-1)).toEqual({
      v: 1,
      kind: 'heartbeat',
      from: follower!.crossTab().tabId,
      leader: false,
      visible: true,
      polling: true,
    })
    expect((await refetchesOver(follower!, 'todos:p1', 30_000)).longestWait).toBeLessThanOrEqual(6_100)
    expect(pollRelays(leader!).every((relay) => relay.tags.length === 1)).toBe(true)
  })

  it('returns a follower to the visible cadence within a few seconds of its leader recovering realtime', async () => {
    const [leader, follower] = await openTabs([
      { name: 'a', projects: ['p1'] },
      { name: 'b', projects: ['p2'] },
    ])
    expect(follower!.pollingInterval()).toBeGreaterThanOrEqual(14_000)
    leader!.transport.connectBehavior = 'open'
    leader!.store.dispatch(leader!.realtime.actions.recover())
    await world!.clock.advance(3_000)
    expect(connection(leader!)).toBe('connected')
    expect(follower!.pollingInterval()).toBeLessThanOrEqual(6_000)
    expect((await refetchesOver(follower!, 'todos:p2', 30_000)).longestWait).toBeLessThanOrEqual(6_100)
  })

  it.each(['closes', 'crashes'] as const)(
    'returns a follower to its own visible cadence within a few seconds when the leader %s',
    async (how) => {
      const [leader, follower] = await openTabs([
        { name: 'a', projects: ['p1'] },
        { name: 'b', projects: ['p2'] },
      ])
      expect(follower!.pollingInterval()).toBeGreaterThanOrEqual(14_000)
      if (how === 'closes') leader!.stop()
      else world!.crash(leader!)
      await world!.clock.advance(4_000)
      expect(follower!.pollingInterval()).toBeLessThanOrEqual(6_000)
      expect((await refetchesOver(follower!, 'todos:p2', 30_000)).longestWait).toBeLessThanOrEqual(6_100)
    },
  )
})

describe('cross-tab poll sharing with bad or older peers', () => {
  it('drops and counts malformed polling fields and poll causes', async () => {
    world = createTabs()
    const b = world.open('b')
    show(b, 'p1')
    await world.clock.advance(1_500)
    const rogue = world.browser.openTab('rogue').broadcastChannel(CHANNEL)
    const heartbeat = { v: 1, kind: 'heartbeat', from: 'rogue', leader: true, visible: true }
    const malformed = [
      { ...heartbeat, polling: 'yes' },
      { ...heartbeat, polling: true, tags: 'Todos' },
      { ...heartbeat, polling: true, tags: [{ type: 7 }] },
      { ...heartbeat, polling: true, tags: [{ type: 'Todos', id: 'p'.repeat(10_000) }] },
      { ...heartbeat, polling: true, tags: Array.from({ length: MAX_RELAY_TAGS + 1 }, () => ({ type: 'Todos' })) },
      { v: 1, kind: 'invalidate', from: 'rogue', tags: [{ type: 'Todos', id: 'p1' }], cause: 'refresh' },
      { v: 1, kind: 'invalidate', from: 'rogue', tags: [{ type: 'Todos', id: 'p1' }], cause: 1 },
    ]
    for (const message of malformed) rogue.post(message)
    await world.clock.advance(10)
    expect(b.crossTab()).toMatchObject({ role: 'solo', relaysDropped: malformed.length, relaysReceived: 0 })
    expect(b.fetches('todos:p1')).toBe(1)
    expect(b.pollingInterval()).toBeLessThanOrEqual(6_000)
    expect(b.logs.some((log) => log.line.includes('p'.repeat(50)))).toBe(false)
  })

  it('polls as a lone tab under a leader that says nothing about polling (an older version)', async () => {
    world = createTabs({ locks: false })
    const b = world.open('b')
    show(b, 'p1')
    const rogue = world.browser.openTab('rogue').broadcastChannel(CHANNEL)
    // '0' ranks before any generated tab id: the old tab leads.
    const oldLeader = () => rogue.post({ v: 1, kind: 'heartbeat', from: '0', leader: true, visible: true })
    for (let second = 0; second < 40; second += 1) {
      oldLeader()
      await world.clock.advance(1_000)
    }
    expect(b.crossTab()).toMatchObject({ role: 'follower', leaderId: '0' })
    expect(b.pollingInterval()).toBeLessThanOrEqual(6_000)
    expect(ownPolls(b)).toBeGreaterThanOrEqual(6)
  })
})

describe('cross-tab poll announcement, per topic', () => {
  it("announces polling, with only that topic's tags, while a topic of a connected tab is still joining", async () => {
    world = createTabs()
    const leader = world.open('a', { realtimeUp: true })
    const follower = world.open('b', { realtimeUp: true })
    follower.transport.joinReply = (topic) => (topic === 'project:p2' ? 'hang' : 'ok')
    show(leader, 'p1')
    show(follower, 'p1')
    show(follower, 'p2')
    await world.clock.advance(3_000)
    expect(connection(follower)).toBe('connected')
    const heartbeats = follower.tab.posted.filter((message) => (message as { kind?: string }).kind === 'heartbeat')
    expect(heartbeats.at(-1)).toMatchObject({ polling: true, tags: [{ type: 'Todos', id: 'p2' }] })
    const leaderBeats = leader.tab.posted.filter((message) => (message as { kind?: string }).kind === 'heartbeat')
    expect(leaderBeats.at(-1)).toMatchObject({ polling: false })
  })
})
