import { afterEach, describe, expect, it } from 'vitest'
import { createHarness, failedByAuth, finishHarness, type Harness, tableSpec } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

describe('the kill switch', () => {
  it('disable() closes every channel and the socket and keeps them closed; enable() rejoins every topic after the gap', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    realtime.subscribe(tableSpec('project:1'))
    realtime.subscribe(tableSpec('project:1'))
    realtime.subscribe(tableSpec('project:2'))
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')

    const disabledAt = clock.now()
    store.dispatch(realtime.actions.disable())
    await clock.advance(0)
    expect(harness.state().connection).toBe('disabled')
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'closed', subscriberCount: 2 })
    expect(harness.state().channels['project:2']).toMatchObject({ state: 'closed', subscriberCount: 1 })
    expect(transport.isConnected()).toBe(false)
    expect(transport.channelTopics()).toEqual([])

    const attempts = transport.connectAttempts
    const joins = transport.joins('project:1') + transport.joins('project:2')
    for (let elapsed = 0; elapsed < 60_000; elapsed += 1_000) {
      await clock.advance(1_000)
      expect(transport.channelTopics()).toEqual([])
    }
    expect(transport.connectAttempts).toBe(attempts)
    expect(transport.joins('project:1') + transport.joins('project:2')).toBe(joins)
    expect(harness.state().connection).toBe('disabled')

    const enabledAt = clock.now()
    store.dispatch(realtime.actions.enable())
    await clock.advance(0)
    expect(harness.state().connection).toBe('connected')
    expect(transport.connectAttempts).toBe(attempts + 1)
    await clock.advance(100)
    for (const topic of ['project:1', 'project:2']) {
      expect(transport.joins(topic)).toBe(2)
      expect(harness.state().channels[topic]).toMatchObject({
        state: 'subscribed',
        resumed: false,
        gapMs: enabledAt - disabledAt,
      })
    }
    expect(harness.state().channels['project:1']?.subscriberCount).toBe(2)
    expect([...transport.channelTopics()].sort()).toEqual(['project:1', 'project:2'])
    // Turning realtime off on purpose is not an outage.
    expect(realtime.selectors.selectMetrics(store.getState()).reconnections).toBe(0)
  })

  it('sends no heartbeats while disabled', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    store.dispatch(realtime.actions.disable())
    await clock.advance(0)
    const heartbeats = transport.heartbeatsSent
    await clock.advance(60_000)
    expect(transport.heartbeatsSent).toBe(heartbeats)
  })

  it('stops retrying when disabled while reconnecting', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    transport.connectBehavior = 'refuse'
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(3_000)
    expect(['reconnecting', 'suspended']).toContain(harness.state().connection)
    store.dispatch(realtime.actions.disable())
    await clock.advance(0)
    const attempts = transport.connectAttempts
    await clock.advance(60_000)
    expect(transport.connectAttempts).toBe(attempts)
    expect(harness.state()).toMatchObject({ connection: 'disabled', attempt: 0, nextRetryAt: null })

    transport.connectBehavior = 'open'
    store.dispatch(realtime.actions.enable())
    await clock.advance(100)
    expect(harness.payloadsOf(realtime.events.connectionAttemptStarted).at(-1)?.attempt).toBe(0)
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
  })

  it('starts disabled with createRealtime({ enabled: false }) and connects on enable()', async () => {
    harness = createHarness({ enabled: false })
    const { realtime, clock, transport, store } = harness
    expect(harness.state().connection).toBe('disabled')
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(60_000)
    expect(transport.connectAttempts).toBe(0)
    expect(transport.joins('project:1')).toBe(0)
    expect(harness.state().connection).toBe('disabled')
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'closed', subscriberCount: 1 })

    store.dispatch(realtime.actions.enable())
    await clock.advance(100)
    expect(transport.connectAttempts).toBe(1)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'subscribed', resumed: true })
  })

  it('reconnects after disable() and enable() in the same tick', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    store.dispatch(realtime.actions.disable())
    store.dispatch(realtime.actions.enable())
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
    expect(transport.joins('project:1')).toBe(2)
  })

  it('reconnects when enable() comes while the socket is still closing', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    let closed = () => undefined as void
    transport.disconnectGate = new Promise<void>((resolve) => (closed = resolve))
    store.dispatch(realtime.actions.disable())
    await clock.advance(500)
    store.dispatch(realtime.actions.enable())
    await clock.advance(500)
    transport.disconnectGate = null
    closed()
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
  })

  it('starts over from failed when the kill switch is turned off and on', async () => {
    const failed = await failedByAuth()
    harness = failed.harness
    const { realtime, clock, transport, store } = harness
    expect(harness.state().connection).toBe('failed')

    failed.accept()
    store.dispatch(realtime.actions.disable())
    await clock.advance(100)
    expect(harness.state().connection).toBe('disabled')
    store.dispatch(realtime.actions.enable())
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    // The channel is tried again too: a connected socket with a topic left unjoined would also stop the polling.
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
    expect(transport.joins('project:1')).toBe(3)
  })
})
