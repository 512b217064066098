import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderHook } from 'vitest-browser-react'
import { useFreshness } from '../../src/react'
import { finishHarness, type Harness } from '../support/harness'
import { providersFor, settle } from '../support/reactHarness'
import { createRouterHarness } from '../support/routerHarness'

let harness: Harness | undefined
afterEach(() => finishHarness(harness))

describe('useFreshness', () => {
  it('is live while the subscription covers the query, polling through the kill switch, live again after', async () => {
    const h = createRouterHarness()
    harness = h
    h.mount('projectGenerations', '1')
    h.subscribe('project:1', [{ type: 'UnifiedGenerations', id: 'project:1' }])
    const { result } = await renderHook(() => useFreshness('projectGenerations', '1'), {
      wrapper: providersFor(h),
    })
    await settle(h, 2_000)
    await vi.waitFor(() => expect(result.current).toMatchObject({ mode: 'live', staleSince: null }))
    expect(result.current.lastConfirmedAt).not.toBeNull()

    const disabledAt = h.clock.now()
    h.store.dispatch(h.realtime.actions.disable())
    await settle(h)
    await vi.waitFor(() => expect(result.current).toMatchObject({ mode: 'polling', staleSince: disabledAt }))
    expect(result.current.pollIntervalMs).toBeGreaterThanOrEqual(4_000)

    h.store.dispatch(h.realtime.actions.enable())
    await settle(h, 5_000)
    await vi.waitFor(() => expect(result.current.mode).toBe('live'))
  })

  it('is unmanaged for a query no subscription covers, and does not re-render for unrelated changes', async () => {
    const h = createRouterHarness()
    harness = h
    h.mount('projectGenerations', '2')
    let renders = 0
    const { result } = await renderHook(
      () => {
        renders += 1
        // A new args object on every render: the same selector all the same.
        return useFreshness('tasksPage', { projectId: '2', page: 1 })
      },
      { wrapper: providersFor(h) },
    )
    await settle(h)
    expect(result.current.mode).toBe('unmanaged')
    const before = renders
    h.store.dispatch(h.realtime.actions.setVisibility(true))
    await settle(h)
    expect(renders).toBe(before)
  })
})
