import { describe, expect, it } from 'vitest'
import { formatAge, formatDuration, formatPercentiles } from '../../src/devtools/format'

describe('debug panel formatting', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [12_340, '12.3 s'],
    [245_000, '4m 05s'],
    [7_380_000, '2h 03m'],
    [-5, '0 ms'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('writes %s ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it('writes an age, or never', () => {
    expect(formatAge(1_000, 4_500)).toBe('3.5 s ago')
    expect(formatAge(null, 4_500)).toBe('never')
  })

  it('writes percentiles only when both exist', () => {
    expect(formatPercentiles(25, 29)).toBe('25 ms / 29 ms')
    expect(formatPercentiles(null, null)).toBe('—')
  })
})
