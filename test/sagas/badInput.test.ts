import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ChannelSignal, SocketSignal } from '../../src/events/port'
import {
  createHarness,
  expectNoDuplicateChannels,
  finishHarness,
  type Harness,
  insertEvent,
  tableSpec,
} from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

const crashes = (h: Harness) => h.crashes()

describe('bad input from the transport', () => {
  it('counts a malformed message, logs it once per reason, and keeps delivering the events behind it', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    const onMessage = vi.fn()
    realtime.subscribe(tableSpec('project:1', 'generations', { onMessage }))
    await clock.advance(100)

    transport.emit('project:1', { type: 'malformed', reason: 'missing table' })
    transport.emit('project:1', { type: 'malformed', reason: 'missing table' })
    transport.emit('project:1', { type: 'malformed', reason: 'payload too large' })
    const good = insertEvent('project:1', 'generations', { id: 1 }, clock.now())
    transport.emitEvent(good)
    await clock.advance(16)

    const metrics = realtime.selectors.selectMetrics(store.getState())
    expect(metrics.eventsMalformed).toBe(3)
    expect(harness.logs.filter((log) => log.line.includes('missing table'))).toHaveLength(1)
    expect(harness.logs.filter((log) => log.line.includes('payload too large'))).toHaveLength(1)
    expect(onMessage).toHaveBeenCalledExactlyOnceWith(good)
    expect(harness.payloadsOf(realtime.events.eventsReceived).flatMap((batch) => batch.events)).toEqual([good])
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
    expect(transport.joins('project:1')).toBe(1)
  })

  it('counts a frame the socket could not decode, logs it once per kind, and replaces the socket', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    transport.malformedFrame()
    await clock.advance(0)
    expect(harness.state().connection).toBe('reconnecting')
    expect(harness.payloadsOf(realtime.events.reconnectScheduled)[0]?.error).toMatchObject({
      type: 'NETWORK_ERROR',
      message: expect.stringMatching(/could not be decoded/),
    })
    await clock.advance(1_100)
    expect(harness.state().connection).toBe('connected')
    transport.malformedFrame()
    await clock.advance(1_100)
    expect(harness.state().metrics).toMatchObject({
      framesMalformed: 2,
      errorsByType: expect.objectContaining({ MALFORMED_FRAME: 2 }),
    })
    expect(harness.logs.filter((log) => /could not be decoded; replacing the socket/.test(log.line))).toHaveLength(1)
    expect(transport.connectAttempts).toBe(3)
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'subscribed', resumed: false })
  })

  it('survives an unknown status by recreating the channel', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)

    transport.emit('project:1', { type: 'status', status: 'SOMETHING_NEW', error: null } as unknown as ChannelSignal)
    transport.emit('project:1', { type: 'mystery' } as unknown as ChannelSignal)
    await clock.advance(0)
    expect(harness.state().channels['project:1']?.lastError).toMatchObject({ type: 'CHANNEL_ERROR' })
    for (let elapsed = 0; elapsed < 2_000; elapsed += 10) {
      await clock.advance(10)
      expectNoDuplicateChannels(transport)
    }
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
    expect(transport.joins('project:1')).toBe(2)
    expect(crashes(harness)).toEqual([])
  })

  it('ignores signals from a channel it already removed', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    const onMessage = vi.fn()
    realtime.subscribe(tableSpec('project:1', 'generations', { onMessage }))
    await clock.advance(100)
    const old = transport.createdChannels[0]!
    const oldListener = old.listener!
    store.dispatch(realtime.actions.recover())
    await clock.advance(100)
    expect(old.removed).toBe(true)
    expect(transport.joins('project:1')).toBe(2)
    const before = harness.state().channels['project:1']

    oldListener({ type: 'status', status: 'CHANNEL_ERROR', error: null })
    oldListener({ type: 'status', status: 'CLOSED', error: null })
    oldListener({ type: 'status', status: 'SUBSCRIBED', error: null })
    oldListener({ type: 'event', event: insertEvent('project:1', 'generations', { id: 1 }, clock.now()) })
    oldListener({ type: 'malformed', reason: 'late' })
    await clock.advance(1_000)
    expect(harness.state().channels['project:1']).toEqual(before)
    expect(onMessage).not.toHaveBeenCalled()
    expect(harness.payloadsOf(realtime.events.eventsReceived)).toEqual([])
    expect(transport.joins('project:1')).toBe(2)
    expect(crashes(harness)).toEqual([])
  })

  it('ignores socket signals it does not know', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const listeners: Array<(signal: SocketSignal) => void> = []
    const watch = transport.watchSocket.bind(transport)
    transport.watchSocket = (listener) => {
      listeners.push(listener)
      return watch(listener)
    }
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    for (const listener of listeners) {
      listener({ type: 'heartbeat', status: 'sent' })
      listener({ type: 'surprise' } as unknown as SocketSignal)
    }
    await clock.advance(1_000)
    expect(harness.state().connection).toBe('connected')
    expect(transport.connectAttempts).toBe(1)
    expect(crashes(harness)).toEqual([])
  })

  it.each([
    ['a public', false],
    ['a private', true],
  ])(
    'keeps %s channel retrying while authorize() rejects, without joining on a stale token, and joins once it works',
    async (_, isPrivate) => {
      harness = createHarness({}, { seed: 21 })
      const { realtime, clock, transport } = harness
      transport.signedIn = true
      transport.authorizeError = new Error('auth server unreachable')
      realtime.subscribe(tableSpec('project:1', 'generations', { private: isPrivate }))
      await clock.advance(20_000)
      expect(transport.joins('project:1')).toBe(0)
      expect(crashes(harness)).toEqual([])
      const errored = harness.payloadsOf(realtime.events.channelErrored)
      expect(errored.length).toBeGreaterThanOrEqual(3)
      // A transient failure to get a token is retryable, not a refusal of the credentials.
      for (const failure of errored)
        expect(failure).toMatchObject({
          error: { type: 'SUBSCRIPTION_FAILED', retryable: true },
          retryInMs: expect.any(Number),
        })
      // One token request per failure; the next one waits for its backoff.
      expect(transport.log.filter((entry) => entry === 'authorize')).toHaveLength(errored.length)
      expect(harness.state().connection).toBe('connected')

      transport.authorizeError = null
      await clock.advance(15_000)
      expect(harness.state().channels['project:1']?.state).toBe('subscribed')
      expect(transport.joins('project:1')).toBe(1)
      expect(transport.log.slice(-2)).toEqual(['authorize', 'join:project:1'])
      expect(crashes(harness)).toEqual([])
    },
  )

  it('turns a transport that throws while creating a channel into a backoff for that topic, not a crash', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    transport.createChannelFailures = 1
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    expect(transport.log).toContain('createChannel-threw:project:1')
    expect(crashes(harness)).toEqual([])
    expect(harness.state().channels['project:1']).toMatchObject({
      state: 'error',
      lastError: { type: 'SUBSCRIPTION_FAILED' },
    })
    expect(transport.joins('project:1')).toBe(0)

    await clock.advance(1_100)
    expect(transport.joins('project:1')).toBe(1)
    expect(transport.channelTopics()).toEqual(['project:1'])
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'subscribed', subscriberCount: 1 })
    expect(crashes(harness)).toEqual([])
  })

  it('restarts the connection saga after a crash, and connects again', async () => {
    harness = createHarness()
    harness.allowCrashes = true
    const { realtime, clock, transport } = harness
    const watch = transport.watchSocket.bind(transport)
    let failures = 1
    transport.watchSocket = (listener) => {
      if (failures > 0) {
        failures -= 1
        throw new Error('watchSocket exploded')
      }
      return watch(listener)
    }
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    expect(crashes(harness)).toEqual([expect.stringContaining('connection saga crashed')])
    await clock.advance(1_100)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
    expect(transport.joins('project:1')).toBe(1)
  })
})
