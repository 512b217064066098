import { afterEach, describe, expect, it } from 'vitest'
import { createSeededRandom } from '../../src/env/random'
import { DEFAULT_RETRY, nextRetryDelay } from '../../src/policy/backoff'
import { createHarness, finishHarness, type Harness, tableSpec } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

/** Runs fake time in small steps until `count` reconnects have been scheduled. */
async function runUntilScheduled(h: Harness, count: number): Promise<void> {
  for (let step = 0; step < 10_000 && h.payloadsOf(h.realtime.events.reconnectScheduled).length < count; step++) {
    await h.clock.advance(50)
    const state = h.state()
    const scheduled = h.payloadsOf(h.realtime.events.reconnectScheduled)
    const last = scheduled[scheduled.length - 1]
    // While a retry is pending, the state says exactly when it is due.
    if (last && state.nextRetryAt !== null) expect(state.nextRetryAt - last.at).toBe(last.delayMs)
  }
}

describe('the connection backoff', () => {
  it.each([1, 7, 42])(
    'retries with full jitter, then on the suspended cadence forever, exactly as the policy computes (seed %i)',
    async (seed) => {
      harness = createHarness({}, { seed })
      const { realtime, transport } = harness
      transport.connectBehavior = 'refuse'
      realtime.subscribe(tableSpec('project:1'))
      await runUntilScheduled(harness, 8)

      const scheduled = harness.payloadsOf(realtime.events.reconnectScheduled).slice(0, 8)
      expect(scheduled.map((retry) => retry.attempt)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
      // Full-jitter windows for attempts 0..2, then [0.5, 1.5] × suspendedRetryMs.
      const windows = [[0, 1000], [0, 2000], [0, 4000], ...Array.from({ length: 5 }, () => [5000, 15000])]
      scheduled.forEach((retry, index) => {
        const [low, high] = windows[index] as [number, number]
        expect(retry.delayMs).toBeGreaterThanOrEqual(low)
        expect(retry.delayMs).toBeLessThanOrEqual(high)
      })
      // The very numbers the pure policy gives for the same random sequence.
      const random = createSeededRandom(seed)
      const expected = scheduled.map((_, attempt) => nextRetryDelay(attempt, DEFAULT_RETRY, random))
      expect(scheduled.map((retry) => retry.delayMs)).toEqual(expected)

      // Each retry went out when it was due, with the next attempt number.
      const started = harness.payloadsOf(realtime.events.connectionAttemptStarted)
      for (let i = 0; i < scheduled.length - 1; i++) {
        const retry = scheduled[i]!
        expect(started[i + 1]).toEqual({ attempt: i + 1, at: retry.at + retry.delayMs })
      }
      // reconnecting while attempts remain, suspended once maxRetries (3) are used up, and never anything else.
      expect(harness.connectionHistory).toEqual(['idle', 'connecting', 'reconnecting', 'suspended'])
      expect(harness.connectionAfterEach(realtime.events.reconnectScheduled).slice(0, 8)).toEqual([
        'reconnecting',
        'reconnecting',
        'reconnecting',
        'suspended',
        'suspended',
        'suspended',
        'suspended',
        'suspended',
      ])
      expect(harness.state().connection).toBe('suspended')
    },
  )

  it('makes exactly one connection attempt per scheduled retry, plus the first, over 60 s of refusals', async () => {
    harness = createHarness({}, { seed: 3 })
    const { realtime, clock, transport } = harness
    transport.connectBehavior = 'refuse'
    realtime.subscribe(tableSpec('project:1'))
    realtime.subscribe(tableSpec('project:2'))
    await clock.advance(60_000)

    const scheduled = harness.payloadsOf(realtime.events.reconnectScheduled)
    const due = scheduled.filter((retry) => retry.at + retry.delayMs <= clock.now())
    expect(due.length).toBeGreaterThanOrEqual(5)
    expect(transport.connectAttempts).toBe(due.length + 1)
    // Every attempt failed and scheduled exactly one retry; the last one is still pending.
    expect(scheduled.length).toBe(transport.connectAttempts)
    expect(harness.payloadsOf(realtime.events.connectionAttemptStarted)).toHaveLength(transport.connectAttempts)
    expect(transport.log.filter((entry) => entry === 'connect')).toHaveLength(transport.connectAttempts)
    // No join was tried on the closed socket.
    expect(transport.joins('project:1') + transport.joins('project:2')).toBe(0)
    expect(transport.channelTopics()).toEqual([])
  })
})
