import { afterEach, describe, expect, it } from 'vitest'
import { controllableSignal, createHarness, finishHarness, type Harness, tableSpec } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

describe('the liveness probe', () => {
  it.each([
    ['a blackholed server', (h: Harness) => h.transport.blackhole()],
    ['unanswered heartbeats', (h: Harness) => (h.transport.answerHeartbeats = false)],
  ])('declares %s dead within 10 s of the last heartbeat reply', async (_, goSilent) => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(0)
    const openedAt = harness.payloadsOf(realtime.events.connectionOpened)[0]!.at

    // The connection counted only after the server answered a first heartbeat; then a probe every 5 s of silence.
    await clock.advance(openedAt + 4_999 - clock.now())
    expect(transport.heartbeatsSent).toBe(1)
    await clock.advance(1)
    expect(transport.heartbeatsSent).toBe(2)
    await clock.advance(5_000)
    expect(transport.heartbeatsSent).toBe(3)
    const lastReplyAt = clock.now()

    goSilent(harness)
    for (let t = clock.now(); t < lastReplyAt + 9_999; t = clock.now()) {
      await clock.advance(Math.min(500, lastReplyAt + 9_999 - t))
      expect(harness.state().connection).toBe('connected')
    }
    expect(transport.heartbeatsSent).toBe(4)
    await clock.advance(1)
    expect(harness.state().connection).toBe('reconnecting')
    // The saga's own time stamp: the drop was declared 10 s after the last reply, not later.
    expect(harness.payloadsOf(realtime.events.reconnectScheduled)[0]!.at - lastReplyAt).toBeLessThanOrEqual(10_000)
    expect(harness.payloadsOf(realtime.events.reconnectScheduled)[0]?.error).toMatchObject({ type: 'TIMEOUT' })
    expect(harness.state().channels['project:1']?.state).toBe('closed')
    // Handled like any other drop: the dead socket is closed and a new one opened after the backoff.
    expect(transport.log).toContain('disconnect')
    transport.answerHeartbeats = true
    transport.joinReply = () => 'ok'
    await clock.advance(1_000)
    expect(harness.state().connection).toBe('connected')
    expect(transport.connectAttempts).toBe(2)
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'subscribed', resumed: false })
  })

  it('probes only while the page is visible', async () => {
    const visibility = controllableSignal(true)
    harness = createHarness({ env: { visibility } })
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    // One heartbeat verified the new connection.
    expect(transport.heartbeatsSent).toBe(1)

    visibility.set(false)
    await clock.advance(0)
    expect(harness.state().visible).toBe(false)
    await clock.advance(60_000)
    expect(transport.heartbeatsSent).toBe(1)
    expect(harness.state().connection).toBe('connected')

    visibility.set(true)
    await clock.advance(5_000)
    expect(transport.heartbeatsSent).toBe(2)
    await clock.advance(5_000)
    expect(transport.heartbeatsSent).toBe(3)

    // Hidden again: the probes stop, and a silent server is not declared dead meanwhile.
    visibility.set(false)
    transport.answerHeartbeats = false
    await clock.advance(60_000)
    expect(transport.heartbeatsSent).toBe(3)
    expect(harness.state().connection).toBe('connected')
  })

  it('stops probing once the socket is closed on purpose', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const handle = realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    handle.unsubscribe()
    await clock.advance(1_100)
    expect(harness.state().connection).toBe('idle')
    const heartbeats = transport.heartbeatsSent
    await clock.advance(60_000)
    expect(transport.heartbeatsSent).toBe(heartbeats)
    expect(transport.connectAttempts).toBe(1)
  })
})

describe('a connection lost without channel errors', () => {
  it('closes and rejoins every channel even when the transport never reports their loss', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    expect(transport.joins('project:1')).toBe(1)
    transport.silentChannelsOnDisconnect = true
    transport.answerHeartbeats = false
    await clock.advance(10_000)
    expect(harness.state().connection).toBe('reconnecting')
    expect(harness.state().channels['project:1']?.state).toBe('closed')
    transport.answerHeartbeats = true
    await clock.advance(2_000)
    expect(harness.state().connection).toBe('connected')
    expect(transport.joins('project:1')).toBe(2)
    expect(transport.channelTopics()).toEqual(['project:1'])
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'subscribed', resumed: false })
  })
})

describe('a socket that opens but never answers', () => {
  it('is not counted as connected, keeps its backoff growing, and leaves polling on', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    transport.answerHeartbeats = false
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(30_000)
    expect(harness.payloadsOf(realtime.events.connectionOpened)).toHaveLength(0)
    expect(harness.state().connection === 'reconnecting' || harness.state().connection === 'suspended').toBe(true)
    expect(transport.joins('project:1')).toBe(0)
    const attempts = harness.payloadsOf(realtime.events.reconnectScheduled).map((payload) => payload.attempt)
    expect(attempts.slice(0, 4)).toEqual([0, 1, 2, 3])
    transport.answerHeartbeats = true
    await clock.advance(20_000)
    expect(harness.state().connection).toBe('connected')
    expect(transport.joins('project:1')).toBe(1)
  })
})
