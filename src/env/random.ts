/** A source of uniformly distributed numbers in [0, 1), like `Math.random`. */
export type Random = () => number

export const systemRandom: Random = () => Math.random()

/**
 * A deterministic random source (mulberry32) for tests, benchmarks and reproducible chaos runs.
 *
 * @example
 * const random = createSeededRandom(42)
 * random() // always the same sequence for seed 42
 */
export function createSeededRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
