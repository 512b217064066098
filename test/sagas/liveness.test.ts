import { afterEach, describe, expect, it } from 'vitest'
import {
  controllableSignal,
  createHarness,
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

describe('the liveness probe', () => {
  it.each([
    ['a blackholed server', (h: Harness) => h.transport.blackhole()],
    ['unanswered heartbeats', (h: Harness) => (h.transport.answerHeartbeats = false)],
  ])('declares %s dead within 6 s of its last frame while visible', async (_, goSilent) => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    // The connection counted only after the server answered a first heartbeat; the join's reply was
    // its last frame, and a probe follows 2.5 s of silence.
    const joinedAt = harness.payloadsOf(realtime.events.channelSubscribed)[0]!.at
    expect(transport.heartbeatsSent).toBe(1)
    await clock.advance(joinedAt + 2_499 - clock.now())
    expect(transport.heartbeatsSent).toBe(1)
    await clock.advance(1)
    expect(transport.heartbeatsSent).toBe(2)
    await clock.advance(2_500)
    expect(transport.heartbeatsSent).toBe(3)
    const lastReplyAt = clock.now()

    goSilent(harness)
    await clock.advance(5_499)
    expect(harness.state().connection).toBe('connected')
    await clock.advance(1)
    expect(harness.state().connection).toBe('reconnecting')
    // The saga's own time stamps: silent since the last reply, declared dead at most 6 s later.
    const [detected] = harness.payloadsOf(realtime.events.connectionSilenceDetected)
    expect(detected!.silentSince).toBe(lastReplyAt)
    expect(detected!.at - detected!.silentSince).toBeLessThanOrEqual(6_000)
    expect(harness.payloadsOf(realtime.events.reconnectScheduled)[0]!.at).toBe(detected!.at)
    expect(harness.state().metrics).toMatchObject({
      silencesDetected: 1,
      lastSilenceDetectedAfterMs: detected!.at - lastReplyAt,
    })
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

  it('takes any inbound frame as proof of life, so a reply queued behind traffic is not silence', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    // Heartbeat replies stop, but events keep arriving every 3 s: later than a probe, sooner than its timeout.
    transport.answerHeartbeats = false
    for (let i = 0; i < 20; i++) {
      await clock.advance(3_000)
      transport.emitEvent(insertEvent('project:1', 'generations', { id: i }, clock.now()))
    }
    expect(harness.state().connection).toBe('connected')
    expect(harness.payloadsOf(realtime.events.connectionSilenceDetected)).toEqual([])
    expect(transport.heartbeatsSent).toBeGreaterThan(1)
    // Once the traffic stops too, silence is declared within 6 s of the last frame.
    const lastFrameAt = clock.now()
    await clock.advance(6_000)
    const [detected] = harness.payloadsOf(realtime.events.connectionSilenceDetected)
    expect(detected!.silentSince).toBe(lastFrameAt)
    expect(detected!.at - detected!.silentSince).toBeLessThanOrEqual(6_000)
  })

  it('keeps probing while hidden, on a 20 s cadence, and declares silence within 30 s', async () => {
    const visibility = controllableSignal(true)
    harness = createHarness({ env: { visibility } })
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    expect(transport.heartbeatsSent).toBe(1)

    visibility.set(false)
    await clock.advance(0)
    expect(harness.state().visible).toBe(false)
    await clock.advance(60_000)
    // One probe per 20 s of silence: timers that far apart survive a browser's hidden-tab clamping.
    expect(transport.heartbeatsSent).toBe(4)
    expect(harness.state().connection).toBe('connected')

    const silentFrom = clock.now()
    transport.answerHeartbeats = false
    await clock.advance(30_000)
    expect(harness.state().connection).toBe('reconnecting')
    const [detected] = harness.payloadsOf(realtime.events.connectionSilenceDetected)
    expect(detected!.silentSince).toBeLessThanOrEqual(silentFrom)
    expect(detected!.at - detected!.silentSince).toBeLessThanOrEqual(30_000)
  })

  it('probes at once when a tab that was silent in the background becomes visible', async () => {
    const visibility = controllableSignal(false)
    harness = createHarness({ env: { visibility } })
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    transport.answerHeartbeats = false
    await clock.advance(10_000)
    expect(transport.heartbeatsSent).toBe(1)
    visibility.set(true)
    await clock.advance(0)
    expect(transport.heartbeatsSent).toBe(2)
    await clock.advance(3_000)
    expect(harness.state().connection).toBe('reconnecting')
    const [detected] = harness.payloadsOf(realtime.events.connectionSilenceDetected)
    expect(detected!.at - detected!.probeSentAt).toBe(3_000)
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
    await clock.advance(5_000)
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
