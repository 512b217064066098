import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CONNECTION_STATES, type ConnectionState } from '../../src/policy/connectionTransition'
import {
  DEFAULT_POLLING,
  isRealtimeDown,
  MIN_POLL_MS,
  pollingInterval,
  POLLING_JITTER_MS,
  VISIBLE_CLAMP_MS,
  type PollingOptions,
} from '../../src/policy/pollingPolicy'
import { createSeededRandom, type Random } from '../../src/env/random'

const DOWN_STATES = CONNECTION_STATES.filter((state) => state !== 'connected')

/** A random source that always returns `value` (jitter = (2·value − 1) · 1000 ms) and counts its draws. */
function fixed(value: number): Random & { draws: number } {
  const random = Object.assign(
    () => {
      random.draws += 1
      return value
    },
    { draws: 0 },
  )
  return random
}

function options(overrides: Partial<PollingOptions> = {}): PollingOptions {
  return { ...DEFAULT_POLLING, ...overrides }
}

describe('pollingInterval', () => {
  it.each<[string, ConnectionState, boolean, Partial<PollingOptions>, number, number | null]>([
    // name, connection, visible, options, random value, expected
    ['healthy: the safety net', 'connected', true, {}, 0.9, 60_000],
    ['healthy and hidden: the same safety net', 'connected', false, {}, 0.1, 60_000],
    ['healthy with a custom safety net', 'connected', true, { healthyMs: 120_000 }, 0.5, 120_000],
    ['healthy with the safety net off: no polling', 'connected', true, { healthyMs: 0 }, 0.5, null],
    ['healthy ignores forceMs', 'connected', true, { forceMs: 3_000 }, 0.5, 60_000],
    ...DOWN_STATES.flatMap(
      (state): Array<[string, ConnectionState, boolean, Partial<PollingOptions>, number, number]> => [
        [`${state}, visible: 5000 + 500 jitter`, state, true, {}, 0.75, 5_500],
        [`${state}, visible: 5000 − 1000 jitter`, state, true, {}, 0, 4_000],
        [`${state}, hidden: 15000 − 500 jitter`, state, false, {}, 0.25, 14_500],
        [`${state}, hidden with the safety net off: still polls`, state, false, { healthyMs: 0 }, 0.5, 15_000],
      ],
    ),
    ['down, visible base 10000: + 500', 'reconnecting', true, { visibleBaseMs: 10_000 }, 0.75, 10_500],
    ['down, hidden base 30000: + 500, not clamped', 'suspended', false, { hiddenBaseMs: 30_000 }, 0.75, 30_500],
    ['forceMs while visible', 'disabled', true, { forceMs: 8_000 }, 0.75, 8_500],
    ['forceMs 20000 while visible is clamped to 15000', 'disabled', true, { forceMs: 20_000 }, 0, VISIBLE_CLAMP_MS],
    [
      'forceMs 14800 + 500 while visible is clamped to 15000',
      'failed',
      true,
      { forceMs: 14_800 },
      0.75,
      VISIBLE_CLAMP_MS,
    ],
    ['forceMs while hidden is not clamped', 'reconnecting', false, { forceMs: 60_000 }, 0.25, 59_500],
    ['forceMs replaces the hidden base too', 'idle', false, { forceMs: 8_000 }, 0.5, 8_000],
    ['the floor: forceMs 1 polls every MIN_POLL_MS', 'reconnecting', true, { forceMs: 1 }, 0.5, MIN_POLL_MS],
    ['the floor holds under negative jitter', 'connecting', false, { forceMs: 1_500 }, 0, MIN_POLL_MS],
  ])('%s', (_name, connection, visible, overrides, value, expected) => {
    expect(pollingInterval({ connection, visible }, options(overrides), fixed(value))).toBe(expected)
  })

  it('does not draw from the random source while healthy', () => {
    const random = fixed(0.5)
    pollingInterval({ connection: 'connected', visible: true }, DEFAULT_POLLING, random)
    expect(random.draws).toBe(0)
  })

  it('draws a fresh jitter on every call while down, so tabs drift apart', () => {
    const random = createSeededRandom(7)
    const intervals = Array.from({ length: 20 }, () =>
      pollingInterval({ connection: 'reconnecting', visible: true }, DEFAULT_POLLING, random),
    )
    expect(new Set(intervals).size).toBeGreaterThan(10)
  })

  it('treats every state but connected as down', () => {
    expect(CONNECTION_STATES.filter(isRealtimeDown)).toEqual(DOWN_STATES)
    expect(isRealtimeDown('connected')).toBe(false)
  })

  it('while down, is never null and stays within base ± 1000 (clamped ≤ 15000 while visible, ≥ MIN_POLL_MS)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DOWN_STATES),
        fc.boolean(),
        fc.integer({ min: 5_000, max: 10_000 }),
        fc.integer({ min: 15_000, max: 30_000 }),
        fc.option(fc.integer({ min: 1, max: 600_000 }), { nil: null }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer(),
        (connection, visible, visibleBaseMs, hiddenBaseMs, forceMs, healthyMs, seed) => {
          const random = createSeededRandom(seed)
          const interval = pollingInterval(
            { connection, visible },
            { forceMs, healthyMs, visibleBaseMs, hiddenBaseMs },
            random,
          )
          const base = forceMs ?? (visible ? visibleBaseMs : hiddenBaseMs)
          const clamp = (ms: number) => Math.max(MIN_POLL_MS, visible ? Math.min(VISIBLE_CLAMP_MS, ms) : ms)
          expect(interval).not.toBeNull()
          expect(interval).toBeGreaterThanOrEqual(clamp(base - POLLING_JITTER_MS))
          expect(interval).toBeLessThanOrEqual(clamp(base + POLLING_JITTER_MS))
          if (visible) expect(interval).toBeLessThanOrEqual(VISIBLE_CLAMP_MS)
        },
      ),
    )
  })
})

describe('pollingInterval with a degraded channel', () => {
  it('uses the dead-mode cadence while connected when a channel is degraded, and the safety net otherwise', () => {
    const random = () => 0.5
    expect(pollingInterval({ connection: 'connected', visible: true, degraded: true }, DEFAULT_POLLING, random)).toBe(
      5_000,
    )
    expect(pollingInterval({ connection: 'connected', visible: false, degraded: true }, DEFAULT_POLLING, random)).toBe(
      15_000,
    )
    expect(pollingInterval({ connection: 'connected', visible: true, degraded: false }, DEFAULT_POLLING, random)).toBe(
      60_000,
    )
  })
})

describe('pollingInterval for a cross-tab follower', () => {
  it('polls a visible follower on the hidden cadence, unclamped, while realtime is down', () => {
    const random = () => 0.5
    expect(
      pollingInterval({ connection: 'reconnecting', visible: true, follower: true }, DEFAULT_POLLING, random),
    ).toBe(15_000)
    expect(
      pollingInterval(
        { connection: 'reconnecting', visible: true, follower: true },
        { ...DEFAULT_POLLING, hiddenBaseMs: 30_000 },
        random,
      ),
    ).toBe(30_000)
    expect(
      pollingInterval(
        { connection: 'connected', visible: true, degraded: true, follower: true },
        DEFAULT_POLLING,
        random,
      ),
    ).toBe(15_000)
  })

  it('keeps the safety net and a forced cadence as they are for a follower', () => {
    const random = () => 0.5
    expect(pollingInterval({ connection: 'connected', visible: true, follower: true }, DEFAULT_POLLING, random)).toBe(
      60_000,
    )
    expect(
      pollingInterval(
        { connection: 'failed', visible: true, follower: true },
        { ...DEFAULT_POLLING, forceMs: 3_000 },
        random,
      ),
    ).toBe(3_000)
  })

  it('polls a leader or a lone tab exactly as a tab without cross-tab', () => {
    const random = () => 0.5
    expect(
      pollingInterval({ connection: 'reconnecting', visible: true, follower: false }, DEFAULT_POLLING, random),
    ).toBe(5_000)
    expect(
      pollingInterval({ connection: 'reconnecting', visible: false, follower: false }, DEFAULT_POLLING, random),
    ).toBe(15_000)
  })
})
