import { afterEach, describe, expect, it } from 'vitest'
import type { RealtimeOptions } from '../../src/core/options'
import type { BroadcastChannelFactory } from '../../src/env/broadcast'
import { PEER_RETRY_GAP_MS } from '../../src/sagas/peerReconnected'
import { RealtimeError } from '../../src/errors/realtimeError'
import { createTabs, type Tab } from './support/tabsHarness'

let world: ReturnType<typeof createTabs> | null = null
afterEach(() => {
  world?.stopAll()
  world = null
})

const CHANNEL = 'rtk-supabase-realtime:realtime'

/** Retries slow enough that only a peer's report can explain an attempt within a second: suspended at once, 30–90 s apart. */
const SUSPENDED: Partial<RealtimeOptions> = { retry: { maxRetries: 0, suspendedRetryMs: 60_000 } }
/** Still in backoff (`reconnecting`), with a first delay of up to 60 s. */
const RECONNECTING: Partial<RealtimeOptions> = { retry: { maxRetries: 3, baseDelay: 60_000, maxDelay: 60_000 } }

/** A subscription, and no mounted query: no read of the api succeeds, so no read cuts a wait short. */
function subscribe(tab: Tab) {
  tab.realtime.subscribe({
    topic: 'project:p1',
    postgres: [{ event: '*', schema: 'public', table: 'todos' }],
    tags: [{ type: 'Todos', id: 'p1' }],
  })
}

const state = (tab: Tab) => tab.realtime.selectors.selectRealtimeState(tab.store.getState())
const wakeups = (tab: Tab) => tab.realtime.selectors.selectMetrics(tab.store.getState()).peerReconnectWakeups
const reports = (tab: Tab) => tab.tab.posted.filter((message) => (message as { kind?: string }).kind === 'connected')
const wakeLogs = (tab: Tab) => tab.logs.filter((log) => log.line.includes('another tab reconnected'))

/** Opens tabs a (the leader) and b (a follower), each subscribed; a's realtime is down, b's as given. */
async function leaderAndFollower(options: Partial<RealtimeOptions>, followerUp = false) {
  world = createTabs()
  const a = world.open('a', options)
  const b = world.open('b', { ...options, realtimeUp: followerUp })
  subscribe(a)
  subscribe(b)
  await world.clock.advance(3_000)
  expect(world.roles()).toEqual(['leader', 'follower'])
  return { a, b }
}

/** The tab's server is back and the user pressed "recover now": it connects at once, on this clock turn. */
async function reconnectNow(tab: Tab) {
  tab.transport.connectBehavior = 'open'
  tab.store.dispatch(tab.realtime.actions.recover())
  await world!.clock.advance(0)
  expect(state(tab).connection).toBe('connected')
}

/** Asserts the tab waits to retry, its own retry due later than `atLeastMs` from now. */
function expectWaiting(tab: Tab, connection: 'reconnecting' | 'suspended', atLeastMs: number) {
  expect(state(tab).connection).toBe(connection)
  expect(state(tab).nextRetryAt! - world!.clock.now()).toBeGreaterThan(atLeastMs)
}

describe('a tab waiting to retry when another tab reconnects', () => {
  it.each([
    ['suspended', SUSPENDED],
    ['reconnecting', RECONNECTING],
  ] as const)(
    'a follower that is %s retries at once when its leader reports that it reconnected',
    async (connection, options) => {
      const { a, b } = await leaderAndFollower(options)
      expectWaiting(b, connection, 10_000)
      const attempts = b.transport.connectAttempts
      b.transport.connectBehavior = 'open'

      await reconnectNow(a)

      expect(reports(a)).toEqual([{ v: 1, kind: 'connected', from: a.crossTab().tabId }])
      expect(b.transport.connectAttempts).toBe(attempts + 1)
      expect(state(b).connection).toBe('connected')
      expect(state(b).channels['project:p1']?.state).toBe('subscribed')
      expect(wakeups(b)).toBe(1)
      expect(wakeLogs(b)).toHaveLength(1)
      // b's own reconnect is reported in turn; a, connected, ignores it.
      expect(reports(b)).toHaveLength(1)
      expect(wakeups(a)).toBe(0)
    },
  )

  it("a leader retries at once on a follower's report too: any tab's socket proves the server is back", async () => {
    const { a, b } = await leaderAndFollower(SUSPENDED)
    expectWaiting(a, 'suspended', 10_000)
    const attempts = a.transport.connectAttempts
    a.transport.connectBehavior = 'open'

    await reconnectNow(b)

    expect(a.transport.connectAttempts).toBe(attempts + 1)
    expect(state(a).connection).toBe('connected')
    expect(wakeups(a)).toBe(1)
  })

  it('reports a reconnect once per transition to connected, never per probe', async () => {
    const { a } = await leaderAndFollower(SUSPENDED)
    await reconnectNow(a)
    await world!.clock.advance(30_000)
    expect(a.transport.heartbeatsSent).toBeGreaterThan(4)
    expect(reports(a)).toHaveLength(1)

    a.transport.dropSocket()
    await world!.clock.advance(0)
    await reconnectNow(a)
    expect(reports(a)).toHaveLength(2)
  })

  it('changes nothing in a tab that is connected, disabled, idle or failed', async () => {
    const { a, b } = await leaderAndFollower(SUSPENDED, true)
    expect(state(b).connection).toBe('connected')
    const idle = world!.open('c', SUSPENDED)
    const refused = world!.open('d', { ...SUSPENDED, realtimeUp: true })
    refused.transport.joinReply = () => new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized')
    subscribe(refused)
    await world!.clock.advance(1_000)
    expect(state(idle).connection).toBe('idle')
    expect(state(refused).connection).toBe('failed')
    const disabled = world!.open('e', { ...SUSPENDED, realtimeUp: true })
    subscribe(disabled)
    disabled.store.dispatch(disabled.realtime.actions.disable())
    await world!.clock.advance(1_000)
    expect(state(disabled).connection).toBe('disabled')
    const others = [b, idle, refused, disabled]
    const attempts = others.map((tab) => tab.transport.connectAttempts)

    await reconnectNow(a)
    await world!.clock.advance(1_000)

    expect(others.map((tab) => tab.transport.connectAttempts)).toEqual(attempts)
    expect(others.map((tab) => state(tab).connection)).toEqual(['connected', 'idle', 'failed', 'disabled'])
    expect(others.map(wakeups)).toEqual([0, 0, 0, 0])
  })

  it('a burst of reports costs one immediate retry; when it fails, the next wait is the normal backoff', async () => {
    const { b } = await leaderAndFollower(SUSPENDED)
    expectWaiting(b, 'suspended', 10_000)
    const attempts = b.transport.connectAttempts
    const rogue = world!.browser.openTab('rogue').broadcastChannel(CHANNEL)

    for (const from of ['r1', 'r2', 'r3', 'r4']) rogue.post({ v: 1, kind: 'connected', from })
    await world!.clock.advance(0)
    expect(b.transport.connectAttempts).toBe(attempts + 1)
    // b's server still refuses: b waits out a normal suspended delay again, and later reports within the gap do not cut it.
    expectWaiting(b, 'suspended', 10_000)
    for (let i = 0; i < 4; i++) {
      await world!.clock.advance(1_000)
      rogue.post({ v: 1, kind: 'connected', from: `late${i}` })
    }
    await world!.clock.advance(0)
    expect(b.transport.connectAttempts).toBe(attempts + 1)
    expect(wakeups(b)).toBe(1)
    expect(wakeLogs(b)).toHaveLength(1)

    // A report after the gap is news again: one more immediate retry, still logged once.
    await world!.clock.advance(PEER_RETRY_GAP_MS)
    rogue.post({ v: 1, kind: 'connected', from: 'r5' })
    await world!.clock.advance(0)
    expect(b.transport.connectAttempts).toBe(attempts + 2)
    expect(wakeups(b)).toBe(2)
    expect(wakeLogs(b)).toHaveLength(1)
  })

  it('hears a report while its own dying socket is still closing, and retries at once', async () => {
    const { a, b } = await leaderAndFollower(SUSPENDED, true)
    expect(state(b).connection).toBe('connected')
    let closeDone = () => undefined as void
    b.transport.disconnectGate = new Promise<void>((resolve) => (closeDone = resolve))
    b.transport.connectBehavior = 'refuse'
    b.transport.dropSocket()
    await world!.clock.advance(0)
    expectWaiting(b, 'suspended', 10_000)
    const attempts = b.transport.connectAttempts
    b.transport.connectBehavior = 'open'

    await reconnectNow(a) // b's close is still pending

    expect(b.transport.connectAttempts).toBe(attempts + 1)
    expect(state(b).connection).toBe('connected')
    expect(wakeups(b)).toBe(1)
    closeDone()
    await world!.clock.advance(1_000)
    expect(state(b).connection).toBe('connected')
  })

  it('keeps no report that arrives during an attempt: the wait after it is the normal backoff', async () => {
    const { b } = await leaderAndFollower(SUSPENDED)
    const attempts = b.transport.connectAttempts
    const rogue = world!.browser.openTab('rogue').broadcastChannel(CHANNEL)
    b.transport.connectBehavior = 'hang'
    rogue.post({ v: 1, kind: 'connected', from: 'r1' })
    await world!.clock.advance(0)
    expect(b.transport.connectAttempts).toBe(attempts + 1)

    // The attempt hangs until the 10 s open timeout; a report past the 5 s gap arrives meanwhile.
    await world!.clock.advance(PEER_RETRY_GAP_MS + 1_000)
    rogue.post({ v: 1, kind: 'connected', from: 'r2' })
    await world!.clock.advance(5_000)

    expectWaiting(b, 'suspended', 10_000)
    expect(b.transport.connectAttempts).toBe(attempts + 1)
    expect(wakeups(b)).toBe(1)
  })

  it('takes a port that throws on the report as a failed post: the tab stays connected, warned once', async () => {
    world = createTabs()
    const inner = world.browser.openTab('a-port').broadcastChannel
    const broadcastChannel: BroadcastChannelFactory = (name) => {
      const port = inner(name)
      return {
        ...port,
        post: (message) => {
          if ((message as { kind?: string }).kind === 'connected') throw new Error('the port broke')
          return port.post(message)
        },
      }
    }
    const a = world.open('a', { ...SUSPENDED, env: { broadcastChannel } })
    subscribe(a)
    await world.clock.advance(3_000)

    await reconnectNow(a)
    a.transport.dropSocket()
    await world.clock.advance(0)
    await reconnectNow(a)

    expect(state(a).channels['project:p1']?.state).toBe('subscribed')
    const warnings = a.logs.filter((log) => log.line.includes('could not tell the other tabs'))
    expect(warnings.map((log) => log.level)).toEqual(['warn'])
  })

  it('drops and counts a malformed report, and ignores one claiming to come from this tab', async () => {
    const { b } = await leaderAndFollower(SUSPENDED)
    expectWaiting(b, 'suspended', 10_000)
    const attempts = b.transport.connectAttempts
    const dropped = b.crossTab().relaysDropped
    const rogue = world!.browser.openTab('rogue').broadcastChannel(CHANNEL)
    const malformed = [
      { v: 1, kind: 'connected' },
      { v: 1, kind: 'connected', from: '' },
      { v: 1, kind: 'connected', from: 7 },
      { v: 1, kind: 'connected', from: 'x'.repeat(65) },
      { v: 2, kind: 'connected', from: 'r1' },
      { kind: 'connected', from: 'r1' },
      { v: 1, kind: 'reconnected', from: 'r1' },
    ]
    for (const message of malformed) rogue.post(message)
    rogue.post({ v: 1, kind: 'connected', from: b.crossTab().tabId })
    await world!.clock.advance(1_000)

    expect(b.crossTab().relaysDropped).toBe(dropped + malformed.length)
    expect(b.transport.connectAttempts).toBe(attempts)
    expect(wakeups(b)).toBe(0)
    const dropLogs = b.logs.filter((log) => log.line.includes('dropped a cross-tab message')).map((log) => log.line)
    expect(new Set(dropLogs).size).toBe(dropLogs.length)
    expect(dropLogs.some((line) => line.includes('BAD_SENDER'))).toBe(true)
  })
})
