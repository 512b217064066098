import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderHook } from 'vitest-browser-react'
import { useDebouncedRealtimeUpdate } from '../../src/react'
import { createHarness, finishHarness, type Harness } from '../support/harness'
import { providersFor } from '../support/reactHarness'

let harness: Harness | undefined
afterEach(() => finishHarness(harness))

describe('useDebouncedRealtimeUpdate', () => {
  it('calls the latest callback once per burst, with the latest payload, on the realtime clock', async () => {
    harness = createHarness()
    const first = vi.fn()
    const second = vi.fn()
    const hook = await renderHook(
      (callback?: (payload: number) => void) => useDebouncedRealtimeUpdate(callback ?? first, 100),
      {
        initialProps: first,
        wrapper: providersFor(harness),
      },
    )
    const update = hook.result.current
    update(1)
    update(2)
    await hook.rerender(second)
    expect(hook.result.current).toBe(update)
    update(3)
    await harness.clock.advance(100)
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledExactlyOnceWith(3)
  })

  it('drops a pending call when the component unmounts', async () => {
    harness = createHarness()
    const callback = vi.fn()
    const hook = await renderHook(() => useDebouncedRealtimeUpdate(callback, 100), { wrapper: providersFor(harness) })
    hook.result.current('late')
    await hook.unmount()
    await harness.clock.advance(1_000)
    expect(callback).not.toHaveBeenCalled()
  })

  it('delivers a pending call at once when the delay changes, instead of dropping it', async () => {
    harness = createHarness()
    const callback = vi.fn()
    const hook = await renderHook((delay?: number) => useDebouncedRealtimeUpdate(callback, delay ?? 100), {
      initialProps: 100,
      wrapper: providersFor(harness),
    })
    hook.result.current('pending')
    await hook.rerender(500)
    expect(callback).toHaveBeenCalledExactlyOnceWith('pending')
  })

  it('works without a RealtimeProvider, on the system clock', async () => {
    const callback = vi.fn()
    const hook = await renderHook(() => useDebouncedRealtimeUpdate(callback, 0))
    hook.result.current('now')
    await vi.waitFor(() => expect(callback).toHaveBeenCalledExactlyOnceWith('now'))
  })

  it('rejects a negative delay with an error naming it', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      await expect(renderHook(() => useDebouncedRealtimeUpdate(() => undefined, -5))).rejects.toThrow(
        /useDebouncedRealtimeUpdate\(\): delay must be/,
      )
    } finally {
      quiet.mockRestore()
    }
  })
})
