import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderHook } from 'vitest-browser-react'
import { usePollingInterval, useRealtimeStatus } from '../../src/react'
import { createHarness, finishHarness, type Harness } from '../support/harness'
import { providersFor, settle } from '../support/reactHarness'
import { createRouterHarness } from '../support/routerHarness'

let harness: Harness | undefined
afterEach(() => finishHarness(harness))

describe('useRealtimeStatus', () => {
  it('follows the connection through the kill switch and back', async () => {
    const h = (harness = createRouterHarness())
    h.subscribe('project:1', [{ type: 'UnifiedGenerations', id: 'project:1' }])
    const { result } = await renderHook(() => useRealtimeStatus(), { wrapper: providersFor(h) })
    await settle(h)
    await vi.waitFor(() =>
      expect(result.current).toMatchObject({
        connection: 'connected',
        isConnected: true,
        alert: false,
        visible: true,
        online: true,
      }),
    )

    h.store.dispatch(h.realtime.actions.disable())
    await vi.waitFor(() => expect(result.current).toMatchObject({ connection: 'disabled', isConnected: false }))
    expect(result.current.since).toBe(h.clock.now())
    expect(result.current.pollingInterval).toBeGreaterThanOrEqual(4_000)

    h.store.dispatch(h.realtime.actions.enable())
    await settle(h)
    await vi.waitFor(() => expect(result.current.connection).toBe('connected'))
  })

  it('does not re-render for changes it does not report', async () => {
    const h = (harness = createRouterHarness())
    let renders = 0
    await renderHook(
      () => {
        renders += 1
        return useRealtimeStatus()
      },
      { wrapper: providersFor(h) },
    )
    await settle(h)
    const before = renders
    // A message count changes the slice, not the status.
    h.store.dispatch(
      h.realtime.events.broadcastSent({ topic: 'room:1', event: 'PING', status: 'ok', at: h.clock.now() }),
    )
    await settle(h)
    expect(renders).toBe(before)
  })
})

describe('usePollingInterval', () => {
  it('is the dead-mode cadence while realtime is down, the safety net while it is up', async () => {
    const h = (harness = createRouterHarness())
    h.subscribe('project:1', [{ type: 'UnifiedGenerations', id: 'project:1' }])
    const { result } = await renderHook(() => usePollingInterval(), { wrapper: providersFor(h) })
    await settle(h)
    await vi.waitFor(() => expect(result.current).toBe(60_000))

    h.store.dispatch(h.realtime.actions.disable())
    await settle(h)
    await vi.waitFor(() => expect(result.current).toBe(5_000))
    // Stable across polls (the scheduler's own cadence is re-jittered every time).
    await h.clock.advance(30_000)
    expect(h.realtime.selectors.selectMetrics(h.store.getState()).invalidationsIssued).toBeGreaterThan(0)
    expect(result.current).toBe(5_000)

    h.store.dispatch(h.realtime.actions.setVisibility(false))
    await vi.waitFor(() => expect(result.current).toBe(15_000))
  })

  it('is the dead-mode cadence without an api too, and honours polling.forceMs', async () => {
    const h = (harness = createHarness({ enabled: false, polling: { forceMs: 3_000 } }))
    const { result } = await renderHook(() => usePollingInterval(), { wrapper: providersFor(h) })
    expect(result.current).toBe(3_000)
  })

  it('is 0 (off) while realtime is healthy and the safety net is off', async () => {
    const h = (harness = createRouterHarness({ polling: { healthyMs: 0 } }))
    h.subscribe('project:1', [{ type: 'UnifiedGenerations', id: 'project:1' }])
    const { result } = await renderHook(() => usePollingInterval(), { wrapper: providersFor(h) })
    await settle(h)
    await vi.waitFor(() => expect(h.realtime.selectors.selectConnectionState(h.store.getState())).toBe('connected'))
    expect(result.current).toBe(0)
  })
})
