import { describe, expect, it } from 'vitest'
import { createBroadcastChannelFactory, systemBroadcastChannel } from '../../src/env/broadcast'
import { createSystemEnvironment } from '../../src/env/environment'
import { createWebLocks, systemLocks, type LockHandlers } from '../../src/env/locks'
import { FakeClock, flushMicrotasks } from '../support/fakeClock'
import { MemoryBrowser } from './support/memoryTabs'

function recorder() {
  const events: string[] = []
  const handlers = (name: string): LockHandlers => ({
    granted: () => events.push(`${name} granted`),
    lost: () => events.push(`${name} lost`),
    failed: () => events.push(`${name} failed`),
  })
  return { events, handlers }
}

describe('the Web Locks port', () => {
  it('grants the lock to one tab at a time, in request order, and to the next on release', async () => {
    const browser = new MemoryBrowser(new FakeClock())
    const [a, b] = [browser.openTab('a'), browser.openTab('b')]
    const { events, handlers } = recorder()
    const releaseA = a.locks.request('leader', handlers('a'))
    b.locks.request('leader', handlers('b'))
    await flushMicrotasks()
    expect(events).toEqual(['a granted'])
    releaseA()
    await flushMicrotasks()
    expect(events).toEqual(['a granted', 'b granted'])
    expect(browser.lockHolder('leader')).toBe('b')
  })

  it('withdraws a waiting request without a word, and frees the lock of a closed tab', async () => {
    const browser = new MemoryBrowser(new FakeClock())
    const [a, b, c] = [browser.openTab('a'), browser.openTab('b'), browser.openTab('c')]
    const { events, handlers } = recorder()
    a.locks.request('leader', handlers('a'))
    const withdrawB = b.locks.request('leader', handlers('b'))
    c.locks.request('leader', handlers('c'))
    await flushMicrotasks()
    withdrawB()
    a.close()
    await flushMicrotasks()
    expect(events).toEqual(['a granted', 'c granted'])
  })

  it('tells the holder it lost the lock when another tab steals it', async () => {
    const browser = new MemoryBrowser(new FakeClock())
    const [a, b] = [browser.openTab('a'), browser.openTab('b')]
    const { events, handlers } = recorder()
    a.locks.request('leader', handlers('a'))
    await flushMicrotasks()
    b.locks.request('leader', handlers('b'), { steal: true })
    await flushMicrotasks()
    expect(events).toEqual(['a granted', 'a lost', 'b granted'])
    expect(browser.lockHolder('leader')).toBe('b')
  })

  it('reports a request the browser refuses, or that throws, as failed', async () => {
    const { events, handlers } = recorder()
    createWebLocks({ request: () => Promise.reject(new Error('SecurityError')) }).request('leader', handlers('refused'))
    createWebLocks({
      request: () => {
        throw new Error('no locks here')
      },
    }).request('leader', handlers('thrown'))
    await flushMicrotasks()
    expect(events.sort()).toEqual(['refused failed', 'thrown failed'])
  })

  it('is absent in Node, where there is no navigator.locks', () => {
    const navigatorLocks = (globalThis as { navigator?: { locks?: unknown } }).navigator?.locks
    expect(systemLocks() === null).toBe(navigatorLocks === undefined)
  })
})

describe('the BroadcastChannel port', () => {
  it('delivers to the other ports of a channel, not to the sender, and refuses to post once closed', async () => {
    const open = createBroadcastChannelFactory(BroadcastChannel as never)
    const [a, b] = [open('rtk-supabase-realtime:port-test'), open('rtk-supabase-realtime:port-test')]
    const toA: unknown[] = []
    a.subscribe((data) => toA.push(data))
    const received = new Promise<unknown>((resolve) => b.subscribe(resolve))
    expect(a.post({ v: 1, kind: 'bye', from: 'a' })).toBe(true)
    expect(await received).toEqual({ v: 1, kind: 'bye', from: 'a' })
    expect(a.post(() => 'not cloneable')).toBe(false)
    a.close()
    b.close()
    expect(a.post({ v: 1 })).toBe(false)
    expect(toA).toEqual([])
  })

  it('is off by default where there is no document (SSR, Node), even though Node has a BroadcastChannel', () => {
    expect(systemBroadcastChannel()).toBeNull()
    expect(createSystemEnvironment().broadcastChannel).toBeNull()
    expect(createSystemEnvironment({ broadcastChannel: null, locks: null })).toMatchObject({
      broadcastChannel: null,
      locks: null,
    })
  })
})
