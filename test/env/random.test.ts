import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSeededRandom, systemRandom } from '../../src/env/random'

const draw = (seed: number, count: number) => {
  const random = createSeededRandom(seed)
  return Array.from({ length: count }, () => random())
}

describe('createSeededRandom', () => {
  it('gives the same sequence for the same seed', () => {
    expect(draw(42, 100)).toEqual(draw(42, 100))
  })

  it('gives different sequences for different seeds', () => {
    expect(draw(42, 10)).not.toEqual(draw(43, 10))
    expect(draw(0, 10)).not.toEqual(draw(1, 10))
  })

  it('keeps independent generators independent', () => {
    const a = createSeededRandom(7)
    const b = createSeededRandom(7)
    const first = a()
    a()
    a()
    expect(b()).toBe(first)
  })

  it('treats the seed as a 32-bit unsigned integer', () => {
    expect(draw(-1, 5)).toEqual(draw(0xffffffff, 5))
    expect(draw(2 ** 32 + 5, 5)).toEqual(draw(5, 5))
  })

  it('does not repeat a value within its first 10000 draws', () => {
    expect(new Set(draw(3, 10_000)).size).toBe(10_000)
  })

  it('spreads its draws evenly over [0, 1) (each tenth gets 1000 ± 150 of 10000)', () => {
    const tenths = new Array<number>(10).fill(0)
    for (const value of draw(123, 10_000)) tenths[Math.floor(value * 10)]! += 1
    for (const count of tenths) {
      expect(count).toBeGreaterThan(850)
      expect(count).toBeLessThan(1150)
    }
  })

  it('stays in [0, 1) for any seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 }), (seed) => {
        for (const value of draw(seed, 200)) {
          expect(value).toBeGreaterThanOrEqual(0)
          expect(value).toBeLessThan(1)
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe('systemRandom', () => {
  it('draws numbers in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const value = systemRandom()
      expect(value).toBeGreaterThanOrEqual(0)
      expect(value).toBeLessThan(1)
    }
  })
})
