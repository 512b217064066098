import { afterEach, describe, expect, it } from 'vitest'
import { createWebLocks } from '../../src/env/locks'
import { createTabs } from './support/tabsHarness'

let world: ReturnType<typeof createTabs> | null = null
afterEach(() => {
  world?.stopAll()
  world = null
})

const LOCK = 'rtk-supabase-realtime:realtime:leader'

describe.each([
  { election: 'locks', locks: true },
  { election: 'heartbeat', locks: false },
] as const)('cross-tab leader election ($election)', ({ election, locks }) => {
  it('lets a lone tab lead as solo, and makes a second tab its follower', async () => {
    world = createTabs({ locks })
    const a = world.open('a')
    await world.clock.advance(1_500)
    expect(a.crossTab()).toMatchObject({ role: 'solo', election, peers: 0 })
    const b = world.open('b')
    await world.clock.advance(1_500)
    expect(world.roles()).toEqual(['leader', 'follower'])
    expect(a.crossTab()).toMatchObject({ leaderId: a.crossTab().tabId, peers: 1, leaderSince: expect.any(Number) })
    expect(b.crossTab()).toMatchObject({ leaderId: a.crossTab().tabId, peers: 1, leaderSince: null })
  })

  it('elects exactly one leader among four tabs opened together, and every tab agrees on it', async () => {
    world = createTabs({ locks })
    const tabs = ['a', 'b', 'c', 'd'].map((name) => world!.open(name))
    await world.clock.advance(5_000)
    const roles = world.roles()
    expect(roles.filter((role) => role === 'leader')).toHaveLength(1)
    expect(roles.filter((role) => role === 'follower')).toHaveLength(3)
    const leaderIds = new Set(tabs.map((tab) => tab.crossTab().leaderId))
    expect(leaderIds.size).toBe(1)
    expect(tabs.every((tab) => tab.crossTab().peers === 3)).toBe(true)
  })

  it('makes a follower leader within a few seconds when the leader tab closes without a word', async () => {
    world = createTabs({ locks })
    const a = world.open('a')
    await world.clock.advance(1_500)
    const b = world.open('b')
    await world.clock.advance(1_500)
    world.crash(a)
    await world.clock.advance(4_500)
    expect(b.crossTab()).toMatchObject({ role: 'solo', leaderId: b.crossTab().tabId, peers: 0 })
  })

  it('hands leadership over at once when the leader stops and says goodbye', async () => {
    world = createTabs({ locks })
    const a = world.open('a')
    await world.clock.advance(1_500)
    const b = world.open('b')
    await world.clock.advance(1_500)
    a.stop()
    await world.clock.advance(10)
    expect(b.crossTab().leaderId).toBe(b.crossTab().tabId)
    expect(a.crossTab().role).toBe('off')
  })

  it('takes leadership from a frozen leader within a few seconds; the thawed tab steps down and follows', async () => {
    world = createTabs({ locks })
    const a = world.open('a')
    await world.clock.advance(1_500)
    const b = world.open('b')
    await world.clock.advance(1_500)
    a.tab.freeze()
    await world.clock.advance(5_000)
    expect(b.crossTab()).toMatchObject({ role: 'solo', leaderId: b.crossTab().tabId })
    if (locks) expect(world.browser.lockHolder(LOCK)).toBe('b')
    a.tab.thaw()
    await world.clock.advance(2_000)
    expect(world.roles()).toEqual(['follower', 'leader'])
    expect(a.crossTab().leaderId).toBe(b.crossTab().tabId)
  })

  it('moves leadership to the visible tab when the leader is hidden', async () => {
    world = createTabs({ locks })
    const a = world.open('a')
    await world.clock.advance(1_500)
    const b = world.open('b')
    await world.clock.advance(1_500)
    a.visibility.set(false)
    await world.clock.advance(1_500)
    expect(world.roles()).toEqual(['follower', 'leader'])
    a.visibility.set(true)
    b.visibility.set(false)
    await world.clock.advance(1_500)
    expect(world.roles()).toEqual(['leader', 'follower'])
  })

  it('lets no hidden tab lead', async () => {
    world = createTabs({ locks })
    world.open('a', { visible: false })
    world.open('b', { visible: false })
    await world.clock.advance(5_000)
    expect(world.roles()).toEqual(['follower', 'follower'])
    if (locks) expect(world.browser.lockHolder(LOCK)).toBeNull()
  })
})

describe('cross-tab leader election when Web Locks refuse', () => {
  it('falls back to heartbeats, says so in the state, and still elects one leader', async () => {
    world = createTabs()
    const refusing = createWebLocks({ request: () => Promise.reject(new Error('SecurityError')) })
    const a = world.open('a', { env: { locks: refusing } })
    const b = world.open('b', { env: { locks: refusing } })
    await world.clock.advance(3_000)
    expect([a.crossTab().election, b.crossTab().election]).toEqual(['heartbeat', 'heartbeat'])
    expect(world.roles().sort()).toEqual(['follower', 'leader'])
    expect(a.logs.filter((log) => log.line.includes('Web Locks refused'))).toHaveLength(1)
  })
})
