import { describe, expect, it } from 'vitest'
import { assertDelay, createLatestDebouncer } from '../../src/react/latestDebouncer'
import { FakeClock } from '../support/fakeClock'

describe('createLatestDebouncer', () => {
  it('delivers the latest value once, delayMs after the burst ends', async () => {
    const clock = new FakeClock()
    const delivered: number[] = []
    const debouncer = createLatestDebouncer<number>(clock, 100, 1000, (value) => delivered.push(value))
    for (let value = 1; value <= 4; value++) {
      debouncer.push(value)
      await clock.advance(30)
    }
    expect(delivered).toEqual([])
    await clock.advance(70)
    expect(delivered).toEqual([4])
  })

  it('still delivers every maxWaitMs while the stream never pauses', async () => {
    const clock = new FakeClock()
    const delivered: number[] = []
    const debouncer = createLatestDebouncer<number>(clock, 100, 300, (value) => delivered.push(value))
    for (let value = 1; value <= 20; value++) {
      debouncer.push(value)
      await clock.advance(50)
    }
    // 1 s of pushes every 50 ms: a plain trailing debounce would have delivered nothing.
    expect(delivered.length).toBeGreaterThanOrEqual(3)
    expect(delivered.every((value, index) => index === 0 || value > delivered[index - 1]!)).toBe(true)
  })

  it('delivers falsy payloads too', async () => {
    const clock = new FakeClock()
    const delivered: unknown[] = []
    const debouncer = createLatestDebouncer<unknown>(clock, 10, 100, (value) => delivered.push(value))
    debouncer.push(0)
    await clock.advance(10)
    debouncer.push(null)
    await clock.advance(10)
    expect(delivered).toEqual([0, null])
  })

  it('drops a pending value on cancel and delivers it at once on flush', async () => {
    const clock = new FakeClock()
    const delivered: number[] = []
    const debouncer = createLatestDebouncer<number>(clock, 100, 1000, (value) => delivered.push(value))
    debouncer.push(1)
    debouncer.cancel()
    await clock.advance(500)
    expect(delivered).toEqual([])
    expect(clock.pendingTimers()).toBe(0)
    debouncer.push(2)
    debouncer.flush()
    expect(delivered).toEqual([2])
    expect(clock.pendingTimers()).toBe(0)
  })

  it('rejects a delay that is not a finite number of milliseconds', () => {
    expect(() => assertDelay('debounceMs', -1)).toThrow(
      /debounceMs must be a finite number of milliseconds >= 0 \(got -1\)/,
    )
    expect(() => assertDelay('debounceMs', Number.NaN)).toThrow(TypeError)
    expect(() => assertDelay('debounceMs', '100')).toThrow(TypeError)
    expect(assertDelay('debounceMs', 0)).toBe(0)
  })
})
