import { describe, expect, it } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import type { RealtimeOptions } from '../../src/core/options'
import { silentSink } from '../../src/env/logger'
import { FakeClock } from '../support/fakeClock'
import { FakeTransport } from '../support/fakeTransport'

const env = { clock: new FakeClock(), logSink: silentSink }

describe('createRealtime option validation', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['retry.maxRetries -1', { retry: { maxRetries: -1 } }, /retry\.maxRetries/],
    ['retry.maxRetries 1.5', { retry: { maxRetries: 1.5 } }, /retry\.maxRetries/],
    ['retry.maxDelay below retry.baseDelay', { retry: { baseDelay: 5_000, maxDelay: 1_000 } }, /retry\.maxDelay/],
    ['retry as an array', { retry: [] }, /\bretry\b/],
    ['joinTimeoutMs "x"', { joinTimeoutMs: 'x' }, /joinTimeoutMs/],
    ['joinTimeoutMs NaN', { joinTimeoutMs: Number.NaN }, /joinTimeoutMs/],
    ['liveness.intervalMs 0', { liveness: { intervalMs: 0 } }, /liveness\.intervalMs/],
    ['liveness.timeoutMs Infinity', { liveness: { timeoutMs: Number.POSITIVE_INFINITY } }, /liveness\.timeoutMs/],
    [
      'liveness.hiddenIntervalMs below liveness.intervalMs',
      { liveness: { intervalMs: 5_000, hiddenIntervalMs: 4_000 } },
      /liveness\.hiddenIntervalMs/,
    ],
    ["liveness.hiddenIntervalMs '20s'", { liveness: { hiddenIntervalMs: '20s' } }, /liveness\.hiddenIntervalMs/],
    ['polling.forceMs -5', { polling: { forceMs: -5 } }, /polling\.forceMs/],
    ["reducerPath ''", { reducerPath: '' }, /reducerPath/],
    ['reducerPath 42', { reducerPath: 42 }, /reducerPath/],
    ["enabled 'yes'", { enabled: 'yes' }, /enabled/],
  ])('rejects %s with a TypeError naming the option', (_, bad, name) => {
    const create = () => createRealtime({ transport: new FakeTransport(), env, ...bad } as RealtimeOptions)
    expect(create).toThrow(TypeError)
    expect(create).toThrow(name)
  })

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['nothing', undefined],
    ['a string', 'https://example.supabase.co'],
  ])('rejects a client that is %s when no transport is given, naming client', (_, client) => {
    const create = () => createRealtime({ client, env } as RealtimeOptions)
    expect(create).toThrow(TypeError)
    expect(create).toThrow(/client/)
  })

  it('accepts the documented defaults and edge values', () => {
    const realtime = createRealtime({
      transport: new FakeTransport(),
      env,
      retry: { maxRetries: 0, baseDelay: 0, maxDelay: 0 },
      joinTimeoutMs: 1,
      liveness: { intervalMs: 1, timeoutMs: 1 },
      polling: { forceMs: 1 },
      enabled: false,
      reducerPath: 'rt',
    })
    expect(realtime.reducerPath).toBe('rt')
    expect(realtime.options.timing.retry).toMatchObject({
      maxRetries: 0,
      baseDelay: 0,
      maxDelay: 0,
      backoffMultiplier: 2,
      suspendedRetryMs: 10_000,
    })
    expect(realtime.options.enabled).toBe(false)
  })

  it('probes after 2.5 s of silence visible and 20 s hidden, with a 3 s timeout, unless told otherwise', () => {
    const defaults = createRealtime({ transport: new FakeTransport(), env })
    expect(defaults.options.timing.liveness).toEqual({ intervalMs: 2_500, timeoutMs: 3_000, hiddenIntervalMs: 20_000 })
    // A visible interval longer than the hidden default lifts the hidden one with it.
    const slow = createRealtime({ transport: new FakeTransport(), env, liveness: { intervalMs: 30_000 } })
    expect(slow.options.timing.liveness.hiddenIntervalMs).toBe(30_000)
  })
})
