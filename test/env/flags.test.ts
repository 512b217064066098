import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseFlags } from '../../src/env/flags'

afterEach(() => {
  vi.unstubAllEnvs()
  vi.resetModules()
})

describe('parseFlags: REALTIME_ENABLED', () => {
  it.each(['true', 'TRUE', ' True ', '1', 'yes', 'YES', 'on'])('reads %j as enabled', (value) => {
    expect(parseFlags([{ REALTIME_ENABLED: value }])).toEqual({ realtimeEnabled: true })
  })

  it.each(['false', 'False', ' false ', '0', 'no', 'NO', 'off'])('reads %j as disabled', (value) => {
    expect(parseFlags([{ REALTIME_ENABLED: value }])).toEqual({ realtimeEnabled: false })
  })

  it('accepts booleans as Vite may define them', () => {
    expect(parseFlags([{ REALTIME_ENABLED: false }])).toEqual({ realtimeEnabled: false })
    expect(parseFlags([{ REALTIME_ENABLED: true }])).toEqual({ realtimeEnabled: true })
  })

  it('leaves the flag unset when the variable is absent, so the default (enabled) applies', () => {
    expect(parseFlags([{}])).toEqual({})
    expect(parseFlags([undefined, undefined])).toEqual({})
    expect(parseFlags([])).toEqual({})
  })

  it('ignores an empty string as if the variable were absent', () => {
    expect(parseFlags([{ REALTIME_ENABLED: '' }])).toEqual({})
  })

  it.each(['flase', 'enabled', '2', 'truee', '   '])('rejects %j with an error naming REALTIME_ENABLED', (value) => {
    expect(() => parseFlags([{ REALTIME_ENABLED: value }])).toThrow(TypeError)
    expect(() => parseFlags([{ REALTIME_ENABLED: value }])).toThrow(/REALTIME_ENABLED/)
  })

  it('quotes the rejected value in the error', () => {
    expect(() => parseFlags([{ REALTIME_ENABLED: 'nope' }])).toThrow(/"nope"/)
  })
})

describe('parseFlags: sources and the VITE_ prefix', () => {
  it('reads the VITE_-prefixed name', () => {
    expect(parseFlags([{ VITE_REALTIME_ENABLED: 'false' }])).toEqual({ realtimeEnabled: false })
    expect(parseFlags([{ VITE_DEADMODE_FORCE_POLLING_MS: '8000' }])).toEqual({ forcePollingMs: 8000 })
  })

  it('prefers the VITE_-prefixed name over the plain one in the same source', () => {
    expect(parseFlags([{ VITE_REALTIME_ENABLED: 'false', REALTIME_ENABLED: 'true' }])).toEqual({
      realtimeEnabled: false,
    })
  })

  it('falls back to the plain name when the VITE_-prefixed one is empty', () => {
    expect(parseFlags([{ VITE_REALTIME_ENABLED: '', REALTIME_ENABLED: 'false' }])).toEqual({ realtimeEnabled: false })
  })

  it('prefers the first source that sets a variable (Vite env before process env)', () => {
    expect(parseFlags([{ VITE_REALTIME_ENABLED: 'no' }, { REALTIME_ENABLED: 'yes' }])).toEqual({
      realtimeEnabled: false,
    })
  })

  it('falls through to a later source when an earlier one is missing, empty or undefined', () => {
    expect(parseFlags([undefined, { REALTIME_ENABLED: '' }, { REALTIME_ENABLED: '0' }])).toEqual({
      realtimeEnabled: false,
    })
  })

  it('reads each flag from whichever source sets it', () => {
    expect(parseFlags([{ VITE_REALTIME_ENABLED: 'true' }, { DEADMODE_FORCE_POLLING_MS: '12000' }])).toEqual({
      realtimeEnabled: true,
      forcePollingMs: 12000,
    })
  })
})

describe('parseFlags: DEADMODE_FORCE_POLLING_MS', () => {
  it.each([
    ['5000', 5000],
    [' 7000 ', 7000],
    ['1e4', 10000],
    ['2500.5', 2500.5],
  ] as const)('reads %j as %s ms', (value, ms) => {
    expect(parseFlags([{ DEADMODE_FORCE_POLLING_MS: value }])).toEqual({ forcePollingMs: ms })
  })

  it('ignores an empty string', () => {
    expect(parseFlags([{ DEADMODE_FORCE_POLLING_MS: '' }])).toEqual({})
  })

  it.each(['0', '-1', '-5000', 'NaN', 'abc', '5000ms', 'Infinity', '   '])(
    'rejects %j with an error naming DEADMODE_FORCE_POLLING_MS',
    (value) => {
      expect(() => parseFlags([{ DEADMODE_FORCE_POLLING_MS: value }])).toThrow(TypeError)
      expect(() => parseFlags([{ DEADMODE_FORCE_POLLING_MS: value }])).toThrow(/DEADMODE_FORCE_POLLING_MS/)
    },
  )
})

describe('readEnvironmentFlags', () => {
  it('reads the process environment', async () => {
    vi.stubEnv('REALTIME_ENABLED', 'false')
    vi.stubEnv('DEADMODE_FORCE_POLLING_MS', '9000')
    const { readEnvironmentFlags } = await import('../../src/env/flags')
    expect(readEnvironmentFlags()).toEqual({ realtimeEnabled: false, forcePollingMs: 9000 })
  })

  it('reads the environment once and keeps the answer', async () => {
    vi.stubEnv('REALTIME_ENABLED', 'false')
    const { readEnvironmentFlags } = await import('../../src/env/flags')
    const first = readEnvironmentFlags()
    vi.stubEnv('REALTIME_ENABLED', 'true')
    expect(readEnvironmentFlags()).toBe(first)
    expect(readEnvironmentFlags().realtimeEnabled).toBe(false)
  })
})
