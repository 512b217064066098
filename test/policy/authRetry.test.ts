import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSeededRandom } from '../../src/env/random'
import { AUTH_RETRY_WINDOW, authRetryDelay } from '../../src/policy/authRetry'

describe('authRetryDelay', () => {
  it.each([
    ['the lowest draw', 0, 30_000],
    ['the middle draw', 0.5, 45_000],
    ['the highest draw', 0.999_999_9, 60_000],
    ['a draw below 0 (a broken random source)', -3, 30_000],
    ['a draw of 1 or more', 7, 60_000],
    ['NaN', Number.NaN, 30_000],
    ['Infinity', Number.POSITIVE_INFINITY, 30_000],
  ])('gives %s a delay inside 30–60 s', (_, draw, expected) => {
    expect(authRetryDelay(() => draw)).toBe(expected)
  })

  it('stays in whole milliseconds inside the window for any seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const delay = authRetryDelay(createSeededRandom(seed))
        return Number.isInteger(delay) && delay >= AUTH_RETRY_WINDOW.minMs && delay <= AUTH_RETRY_WINDOW.maxMs
      }),
    )
  })

  it('spreads clients refused together over the window', () => {
    const random = createSeededRandom(7)
    const delays = Array.from({ length: 200 }, () => authRetryDelay(random))
    expect(Math.min(...delays)).toBeLessThan(33_000)
    expect(Math.max(...delays)).toBeGreaterThan(57_000)
  })
})
