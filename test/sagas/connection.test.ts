import { afterEach, describe, expect, it } from 'vitest'
import { controllableSignal, createHarness, finishHarness, type Harness, tableSpec } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

/** Advances in small steps until `predicate` holds (at most `limitMs` of fake time). */
async function advanceUntil(h: Harness, predicate: () => boolean, limitMs = 120_000, stepMs = 10): Promise<void> {
  for (let elapsed = 0; !predicate(); elapsed += stepMs) {
    if (elapsed >= limitMs) throw new Error(`not reached within ${limitMs} ms of fake time`)
    await h.clock.advance(stepMs)
  }
}

describe('reconnecting', () => {
  it('resets the attempt after a successful reconnect and records the reconnection in the metrics', async () => {
    harness = createHarness({}, { seed: 5 })
    const { realtime, clock, transport, store } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    expect(realtime.selectors.selectMetrics(store.getState())).toMatchObject({
      reconnections: 0,
      averageReconnectMs: null,
    })

    transport.connectBehavior = 'refuse'
    const droppedAt = clock.now()
    transport.dropSocket()
    await advanceUntil(harness, () => harness!.state().attempt === 2)
    expect(harness.state().connection).toBe('reconnecting')

    transport.connectBehavior = 'open'
    await advanceUntil(harness, () => harness!.state().connection === 'connected')
    const reconnectedAt = clock.now()
    expect(harness.state()).toMatchObject({ attempt: 0, nextRetryAt: null })
    const metrics = realtime.selectors.selectMetrics(store.getState())
    expect(metrics.reconnections).toBe(1)
    const scheduled = harness.payloadsOf(realtime.events.reconnectScheduled)
    const last = scheduled[scheduled.length - 1]!
    // Reconnected exactly when the last retry fell due; the average is the one outage.
    expect(reconnectedAt - 10).toBeLessThanOrEqual(last.at + last.delayMs)
    expect(metrics.averageReconnectMs).toBe(last.at + last.delayMs - droppedAt)

    // The next drop starts over at attempt 0, in the [0, 1000] window.
    transport.dropSocket()
    await clock.advance(0)
    const next = harness.payloadsOf(realtime.events.reconnectScheduled).at(-1)!
    expect(next.attempt).toBe(0)
    expect(next.delayMs).toBeLessThanOrEqual(1000)
    await clock.advance(1000)
    const after = realtime.selectors.selectMetrics(store.getState())
    expect(after.reconnections).toBe(2)
    expect(after.averageReconnectMs).toBe((last.at + last.delayMs - droppedAt + next.delayMs) / 2)
  })

  it.each([
    ['the socket close', false],
    ['the channel errors', true],
  ])(
    'marks every channel as not resumed after a drop, with the gap from the drop to the rejoin (%s reported first)',
    async (_, channelErrorsFirst) => {
      harness = createHarness({}, { seed: 11 })
      const { realtime, clock, transport } = harness
      realtime.subscribe(tableSpec('project:1'))
      realtime.subscribe(tableSpec('project:2'))
      await clock.advance(100)
      expect(harness.state().channels['project:1']).toMatchObject({ state: 'subscribed', resumed: true, gapMs: null })

      const droppedAt = clock.now()
      transport.dropSocket(1006, { channelErrorsFirst })
      await clock.advance(0)
      expect(harness.state().channels['project:1']?.state).toBe('closed')
      const retry = harness.payloadsOf(realtime.events.reconnectScheduled)[0]!
      await clock.advance(retry.delayMs + 1)
      for (const topic of ['project:1', 'project:2']) {
        const channel = harness.state().channels[topic]!
        expect(channel).toMatchObject({ state: 'subscribed', resumed: false })
        expect(channel.joinedAt).toBe(droppedAt + retry.delayMs)
        expect(channel.gapMs).toBe(retry.delayMs)
        // One join before the drop, one after: nothing in between on the closed socket.
        expect(transport.joins(topic)).toBe(2)
      }
      expect(transport.joinsWhileDisconnected).toBe(0)
    },
  )

  it('retries at once when the host reports being online (setOnline(true)) while waiting', async () => {
    harness = createHarness({}, { seed: 2 })
    const { realtime, clock, transport, store } = harness
    transport.connectBehavior = 'refuse'
    realtime.subscribe(tableSpec('project:1'))
    await advanceUntil(harness, () => harness!.state().connection === 'suspended')
    const attempts = transport.connectAttempts
    expect(harness.state().nextRetryAt! - clock.now()).toBeGreaterThan(1000)

    store.dispatch(realtime.actions.setOnline(false))
    await clock.advance(0)
    expect(transport.connectAttempts).toBe(attempts)

    transport.connectBehavior = 'open'
    store.dispatch(realtime.actions.setOnline(true))
    await clock.advance(0)
    expect(transport.connectAttempts).toBe(attempts + 1)
    expect(harness.state().connection).toBe('connected')
  })

  it('retries at once when the tab becomes visible while waiting out a suspended delay', async () => {
    harness = createHarness({}, { seed: 2 })
    const { realtime, clock, transport, store } = harness
    transport.connectBehavior = 'refuse'
    realtime.subscribe(tableSpec('project:1'))
    await advanceUntil(harness, () => harness!.state().connection === 'suspended')
    store.dispatch(realtime.actions.setVisibility(false))
    await clock.advance(0)
    const attempts = transport.connectAttempts
    expect(harness.state().nextRetryAt! - clock.now()).toBeGreaterThan(1000)

    transport.connectBehavior = 'open'
    store.dispatch(realtime.actions.setVisibility(true))
    await clock.advance(0)
    expect(transport.connectAttempts).toBe(attempts + 1)
    expect(harness.state().connection).toBe('connected')
  })

  it('ignores a visible signal while already visible (React Native AppState bouncing), keeping the wait', async () => {
    harness = createHarness({}, { seed: 2 })
    const { realtime, clock, transport, store } = harness
    transport.connectBehavior = 'refuse'
    realtime.subscribe(tableSpec('project:1'))
    await advanceUntil(harness, () => harness!.state().connection === 'suspended')
    const attempts = transport.connectAttempts
    const dueAt = harness.state().nextRetryAt!
    expect(dueAt - clock.now()).toBeGreaterThan(1000)

    for (let bounce = 0; bounce < 5; bounce++) store.dispatch(realtime.actions.setVisibility(true))
    await clock.advance(0)
    expect(transport.connectAttempts).toBe(attempts)
    expect(harness.state().nextRetryAt).toBe(dueAt)

    store.dispatch(realtime.actions.setVisibility(false)) // a real hidden → visible change still cuts it short
    store.dispatch(realtime.actions.setVisibility(true))
    await clock.advance(0)
    expect(transport.connectAttempts).toBe(attempts + 1)
  })

  it('retries at once when the environment online signal comes back', async () => {
    const online = controllableSignal(true)
    harness = createHarness({ env: { online } }, { seed: 2 })
    const { realtime, clock, transport } = harness
    transport.connectBehavior = 'refuse'
    realtime.subscribe(tableSpec('project:1'))
    await advanceUntil(harness, () => harness!.state().attempt === 2)
    online.set(false)
    await clock.advance(0)
    expect(harness.state().online).toBe(false)
    const attempts = transport.connectAttempts
    const dueIn = harness.state().nextRetryAt! - clock.now()

    online.set(true)
    await clock.advance(0)
    expect(transport.connectAttempts).toBe(attempts + 1)
    expect(harness.payloadsOf(realtime.events.connectionAttemptStarted).at(-1)?.attempt).toBe(3)
    // The early attempt replaced the scheduled one: nothing extra fires when it would have been due.
    const afterEarly = transport.connectAttempts
    const nextDue = harness.state().nextRetryAt! - clock.now()
    await clock.advance(Math.min(dueIn, nextDue - 1))
    expect(transport.connectAttempts).toBe(afterEarly)
  })
})

describe('idling', () => {
  it('connects again for a subscription made while the idle socket is still closing', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const first = realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    let closed = () => undefined as void
    transport.disconnectGate = new Promise<void>((resolve) => (closed = resolve))
    first.unsubscribe()
    await clock.advance(1_001)
    expect(transport.log.at(-1)).toBe('disconnect')

    realtime.subscribe(tableSpec('project:2'))
    await clock.advance(100)
    transport.disconnectGate = null
    closed()
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:2']?.state).toBe('subscribed')
    expect(transport.connectAttempts).toBe(2)
  })

  it('gives up on a socket that does not open within 10 s and retries it', async () => {
    harness = createHarness({}, { seed: 3 })
    const { realtime, clock, transport } = harness
    transport.connectBehavior = 'hang'
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(9_999)
    expect(harness.state().connection).toBe('connecting')
    await clock.advance(1)
    expect(harness.state().connection).toBe('reconnecting')
    expect(harness.payloadsOf(realtime.events.reconnectScheduled)[0]?.error).toMatchObject({ type: 'TIMEOUT' })
    transport.connectBehavior = 'open'
    await clock.advance(1_000)
    expect(transport.connectAttempts).toBe(2)
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
  })
})

describe('recover()', () => {
  it('tries to connect at once, from attempt 0, while suspended', async () => {
    harness = createHarness({}, { seed: 9 })
    const { realtime, clock, transport, store } = harness
    transport.connectBehavior = 'refuse'
    realtime.subscribe(tableSpec('project:1'))
    await advanceUntil(harness, () => harness!.state().connection === 'suspended')
    expect(harness.state().nextRetryAt! - clock.now()).toBeGreaterThan(1000)
    const attempts = transport.connectAttempts

    store.dispatch(realtime.actions.recover())
    await clock.advance(0)
    expect(transport.connectAttempts).toBe(attempts + 1)
    expect(harness.payloadsOf(realtime.events.connectionAttemptStarted).at(-1)?.attempt).toBe(0)
    // Refused again: the backoff starts over instead of staying suspended.
    const retry = harness.payloadsOf(realtime.events.reconnectScheduled).at(-1)!
    expect(retry.attempt).toBe(0)
    expect(retry.delayMs).toBeLessThanOrEqual(1000)
    expect(harness.state().connection).toBe('reconnecting')

    transport.connectBehavior = 'open'
    await clock.advance(1000)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
  })

  it('recreates every channel once while connected, marking each as not resumed', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    realtime.subscribe(tableSpec('project:1'))
    realtime.subscribe(tableSpec('project:2'))
    await clock.advance(100)
    expect(transport.joins('project:1')).toBe(1)
    const attempts = transport.connectAttempts

    store.dispatch(realtime.actions.recover())
    await clock.advance(100)
    for (const topic of ['project:1', 'project:2']) {
      expect(transport.joins(topic)).toBe(2)
      expect(harness.state().channels[topic]).toMatchObject({ state: 'subscribed', resumed: false })
    }
    expect([...transport.channelTopics()].sort()).toEqual(['project:1', 'project:2'])
    // The socket itself was fine: it is kept.
    expect(transport.connectAttempts).toBe(attempts)
    expect(harness.state().connection).toBe('connected')
  })
})
