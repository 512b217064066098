import { afterEach, describe, expect, it } from 'vitest'
import { createSeededRandom } from '../../src/env/random'
import { RealtimeError } from '../../src/errors/realtimeError'
import { DEFAULT_RETRY, nextRetryDelay } from '../../src/policy/backoff'
import { createHarness, expectNoDuplicateChannels, finishHarness, type Harness, tableSpec } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

/** Every join in the log comes right after a token refresh (`authorize` or `authorize:refresh`). */
function expectAuthorizeBeforeEveryJoin(log: readonly string[]): void {
  const joins = log.flatMap((entry, index) => (entry.startsWith('join:') ? [index] : []))
  expect(joins.length).toBeGreaterThan(0)
  for (const index of joins)
    expect(log[index - 1], `before ${log[index]} at ${index} in ${log.join(' ')}`).toMatch(/^authorize(:refresh)?$/)
}

describe('a channel that fails while the socket stays open', () => {
  it('goes to error, then rejoins after its own backoff, with a fresh token before every join', async () => {
    const seed = 4
    harness = createHarness({}, { seed })
    const { realtime, clock, transport } = harness
    transport.joinReply = (_topic, joinNumber) =>
      joinNumber <= 4 ? new RealtimeError('CHANNEL_ERROR', `join ${joinNumber} refused by the server`) : 'ok'
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(50)
    const channel = () => harness!.state().channels['project:1']!

    expect(channel().state).toBe('error')
    expect(channel().lastError).toMatchObject({
      type: 'CHANNEL_ERROR',
      message: 'join 1 refused by the server',
      retryable: true,
      topic: 'project:1',
    })
    expect(channel().nextRetryAt).toBeGreaterThanOrEqual(clock.now())

    for (let step = 0; step < 6_000 && channel().state !== 'subscribed'; step++) {
      await clock.advance(10)
      expectNoDuplicateChannels(transport)
      expect(transport.isConnected()).toBe(true)
    }
    expect(channel().state).toBe('subscribed')
    expect(transport.joins('project:1')).toBe(5)

    const errored = harness.payloadsOf(realtime.events.channelErrored)
    const started = harness.payloadsOf(realtime.events.channelJoinStarted)
    expect(errored).toHaveLength(4)
    // The delays are the policy's, from the same random sequence (the socket never needed one).
    const random = createSeededRandom(seed)
    expect(errored.map((error) => error.retryInMs)).toEqual(
      [0, 1, 2, 3].map((attempt) => nextRetryDelay(attempt, DEFAULT_RETRY, random)),
    )
    // Each rejoin went out exactly when its retry fell due, no earlier.
    errored.forEach((error, index) =>
      expect(started[index + 1]).toMatchObject({ at: error.at + error.retryInMs!, attempt: index + 1 }),
    )
    expectAuthorizeBeforeEveryJoin(transport.log)
    expect(transport.log.filter((entry) => entry === 'authorize')).toHaveLength(5)
    // Only the channel failed: the socket was never reopened.
    expect(transport.connectAttempts).toBe(1)
    expect(harness.connectionHistory).toEqual(['idle', 'connecting', 'connected'])
    // Its first successful join: nothing was missed, so it counts as resumed.
    expect(channel()).toMatchObject({ resumed: true, joins: 1, attempt: 0, nextRetryAt: null })
  })

  it.each(['CHANNEL_ERROR', 'CLOSED', 'TIMED_OUT'] as const)(
    'recreates a joined channel that reports %s, and records the gap',
    async (status) => {
      harness = createHarness({}, { seed: 10 })
      const { realtime, clock, transport } = harness
      realtime.subscribe(tableSpec('project:1'))
      await clock.advance(100)
      const lostAt = clock.now()
      transport.emit('project:1', { type: 'status', status, error: null })
      await clock.advance(0)
      const errored = harness.payloadsOf(realtime.events.channelErrored)
      expect(errored).toHaveLength(1)
      expect(errored[0]!.retryInMs).toBeGreaterThan(0)
      expect(harness.state().channels['project:1']).toMatchObject({
        state: 'error',
        nextRetryAt: lostAt + errored[0]!.retryInMs!,
      })
      expect(transport.channelTopics()).toEqual([])

      await clock.advance(errored[0]!.retryInMs!)
      expect(harness.state().channels['project:1']).toMatchObject({
        state: 'subscribed',
        resumed: false,
        gapMs: errored[0]!.retryInMs,
      })
      expect(transport.joins('project:1')).toBe(2)
      expect(transport.channelTopics()).toEqual(['project:1'])
      expectAuthorizeBeforeEveryJoin(transport.log)
      expect(transport.connectAttempts).toBe(1)
    },
  )

  it('gives up on a join without a reply after 10 s, removes the channel, and never holds two channels for the topic', async () => {
    harness = createHarness({}, { seed: 8 })
    const { realtime, clock, transport } = harness
    transport.joinReply = (_topic, joinNumber) => (joinNumber === 1 ? 'hang' : 'ok')
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(50)
    const joinStartedAt = harness.payloadsOf(realtime.events.channelJoinStarted)[0]!.at
    expect(harness.state().channels['project:1']?.state).toBe('subscribing')

    await clock.advance(joinStartedAt + 9_999 - clock.now())
    expect(harness.state().channels['project:1']?.state).toBe('subscribing')
    expect(transport.channelTopics()).toEqual(['project:1'])
    await clock.advance(1)
    expect(harness.state().channels['project:1']).toMatchObject({
      state: 'error',
      lastError: { type: 'TIMEOUT', retryable: true },
    })
    expect(transport.channelTopics()).toEqual([])
    expect(transport.log.slice(-1)).toEqual(['remove:project:1'])

    for (let step = 0; step < 200 && harness.state().channels['project:1']?.state !== 'subscribed'; step++) {
      await clock.advance(10)
      expectNoDuplicateChannels(transport)
    }
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
    expect(transport.channelTopics()).toEqual(['project:1'])
    expect(transport.joins('project:1')).toBe(2)
  })

  it('keeps at most one channel per topic through two minutes of joins that never answer', async () => {
    harness = createHarness({}, { seed: 13 })
    const { realtime, clock, transport } = harness
    transport.joinReply = () => 'hang'
    realtime.subscribe(tableSpec('project:1'))
    realtime.subscribe(tableSpec('project:2'))
    for (let elapsed = 0; elapsed < 120_000; elapsed += 100) {
      await clock.advance(100)
      expectNoDuplicateChannels(transport)
    }
    const timeouts = harness.payloadsOf(realtime.events.channelErrored).filter((error) => error.topic === 'project:1')
    expect(timeouts.length).toBeGreaterThanOrEqual(5)
    expect(timeouts.every((error) => error.error.type === 'TIMEOUT')).toBe(true)
    // Every created channel but the current one was removed.
    const created = transport.createdChannels.filter((channel) => channel.topic === 'project:1')
    expect(created.filter((channel) => !channel.removed).length).toBeLessThanOrEqual(1)
    expect(created.length).toBe(transport.joins('project:1'))
  })
})
