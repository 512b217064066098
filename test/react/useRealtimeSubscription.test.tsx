import type { ReactNode } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { render, renderHook } from 'vitest-browser-react'
import { RealtimeProvider, useRealtimeSubscription, type UseRealtimeSubscriptionOptions } from '../../src/react'
import { RealtimeError } from '../../src/errors/realtimeError'
import { createHarness, finishHarness, insertEvent, tableSpec, type Harness } from '../support/harness'
import { providersFor, settle, strictTree } from '../support/reactHarness'

let harness: Harness | undefined
afterEach(() => finishHarness(harness))

function requests(h: Harness): number {
  return h.payloadsOf(h.realtime.events.subscriptionRequested).length
}

async function renderSubscription(h: Harness, initialProps: UseRealtimeSubscriptionOptions) {
  return renderHook((props?: UseRealtimeSubscriptionOptions) => useRealtimeSubscription(props ?? initialProps), {
    initialProps,
    wrapper: providersFor(h),
  })
}

function Subscriber({ spec }: { spec: UseRealtimeSubscriptionOptions }) {
  const { isSubscribed } = useRealtimeSubscription(spec)
  return <p>{isSubscribed ? 'subscribed' : 'not subscribed'}</p>
}

describe('useRealtimeSubscription', () => {
  it('subscribes while mounted and reports the channel joined', async () => {
    harness = createHarness()
    const { result } = await renderSubscription(harness, tableSpec('project:1'))
    await settle(harness)
    await vi.waitFor(() => expect(result.current.isSubscribed).toBe(true))
    expect(result.current.isConnected).toBe(true)
    expect(result.current.error).toBeNull()
    expect(harness.state().channels['project:1']?.subscriberCount).toBe(1)
  })

  it('gives many components on one topic one channel', async () => {
    harness = createHarness()
    const wrapper = providersFor(harness)
    const hooks: Array<{ result: { current: { isSubscribed: boolean } } }> = []
    for (let i = 0; i < 5; i++)
      hooks.push(await renderHook(() => useRealtimeSubscription(tableSpec('project:1')), { wrapper }))
    await settle(harness)
    expect(harness.transport.createdChannels.map((channel) => channel.topic)).toEqual(['project:1'])
    expect(harness.transport.joins('project:1')).toBe(1)
    expect(harness.state().channels['project:1']?.subscriberCount).toBe(5)
    await vi.waitFor(() => expect(hooks.every((hook) => hook.result.current.isSubscribed)).toBe(true))
  })

  it('costs one join under StrictMode double mounting', async () => {
    harness = createHarness()
    const screen = await render(strictTree(harness, <Subscriber spec={tableSpec('project:1')} />))
    await settle(harness)
    // StrictMode mounts, unmounts and mounts again: two requests, one release, one channel.
    expect(requests(harness)).toBe(2)
    expect(harness.payloadsOf(harness.realtime.events.subscriptionReleased)).toHaveLength(1)
    await expect.element(screen.getByText('subscribed', { exact: true })).toBeVisible()
    expect(harness.transport.joins('project:1')).toBe(1)
    expect(harness.state().channels['project:1']?.subscriberCount).toBe(1)
  })

  it('does not resubscribe when an inline spec is re-created with the same content', async () => {
    harness = createHarness()
    const hook = await renderSubscription(harness, tableSpec('project:1'))
    await settle(harness)
    await hook.rerender(tableSpec('project:1'))
    await hook.rerender(tableSpec('project:1'))
    await settle(harness)
    expect(requests(harness)).toBe(1)
    expect(harness.transport.joins('project:1')).toBe(1)
  })

  it('resubscribes once when the spec changes, and the channel carries only the new binding', async () => {
    harness = createHarness()
    const before = tableSpec('project:1', 'generations')
    const hook = await renderSubscription(harness, before)
    await settle(harness)
    await hook.rerender(tableSpec('project:1', 'shots'))
    await settle(harness)
    expect(requests(harness)).toBe(2)
    expect(harness.transport.joins('project:1')).toBe(2)
    const live = harness.transport.createdChannels.filter((channel) => !channel.removed)
    expect(live.map((channel) => channel.config.postgres.map((binding) => binding.table))).toEqual([['shots']])
    expect(harness.state().channels['project:1']?.subscriberCount).toBe(1)
  })

  it('calls the latest onMessage without resubscribing', async () => {
    harness = createHarness()
    const first = vi.fn()
    const second = vi.fn()
    const hook = await renderSubscription(harness, { ...tableSpec('project:1'), onMessage: first })
    await settle(harness)
    await hook.rerender({ ...tableSpec('project:1'), onMessage: second })
    harness.transport.emitEvent(insertEvent('project:1', 'generations', { id: 1 }, harness.clock.now()))
    await settle(harness)
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledTimes(1)
    expect(second.mock.calls[0]?.[0]).toMatchObject({ kind: 'postgres_changes', table: 'generations', new: { id: 1 } })
    expect(requests(harness)).toBe(1)
  })

  it('with debounceMs delivers one call per burst, with the latest event', async () => {
    harness = createHarness()
    const onMessage = vi.fn()
    await renderSubscription(harness, { ...tableSpec('project:1'), onMessage, debounceMs: 100 })
    await settle(harness)
    for (let id = 1; id <= 5; id++) {
      harness.transport.emitEvent(insertEvent('project:1', 'generations', { id }, harness.clock.now()))
      await harness.clock.advance(20)
    }
    expect(onMessage).not.toHaveBeenCalled()
    await harness.clock.advance(150)
    expect(onMessage).toHaveBeenCalledTimes(1)
    expect(onMessage.mock.calls[0]?.[0]).toMatchObject({ new: { id: 5 } })
  })

  it('releases the topic when unmounted while the join is still pending', async () => {
    harness = createHarness()
    harness.transport.joinReply = () => 'hang'
    const hook = await renderSubscription(harness, tableSpec('project:1'))
    await settle(harness)
    expect(harness.state().channels['project:1']?.state).toBe('subscribing')
    await hook.unmount()
    await harness.clock.advance(2_000)
    expect(harness.transport.channelTopics()).toEqual([])
    expect(harness.state().channels['project:1']).toBeUndefined()
  })

  it('holds no subscription while disabled, and subscribes when enabled', async () => {
    harness = createHarness()
    const hook = await renderSubscription(harness, { ...tableSpec('project:1'), enabled: false })
    await settle(harness)
    expect(requests(harness)).toBe(0)
    expect(hook.result.current.isSubscribed).toBe(false)
    await hook.rerender({ ...tableSpec('project:1'), enabled: true })
    await settle(harness)
    expect(requests(harness)).toBe(1)
    await vi.waitFor(() => expect(hook.result.current.isSubscribed).toBe(true))
  })

  it('reports why a topic is not subscribed', async () => {
    harness = createHarness()
    harness.transport.joinReply = () => new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized')
    const { result } = await renderSubscription(harness, tableSpec('project:1'))
    await settle(harness)
    await vi.waitFor(() => expect(result.current.error?.type).toBe('AUTHENTICATION_FAILED'))
    expect(result.current.isSubscribed).toBe(false)
  })

  it('does not re-render a subscriber for every message batch', async () => {
    harness = createHarness()
    let renders = 0
    await renderHook(
      () => {
        renders += 1
        return useRealtimeSubscription(tableSpec('project:1'))
      },
      { wrapper: providersFor(harness) },
    )
    await settle(harness)
    const before = renders
    for (let id = 1; id <= 5; id++) {
      harness.transport.emitEvent(insertEvent('project:1', 'generations', { id }, harness.clock.now()))
      await harness.clock.advance(50)
    }
    expect(harness.state().metrics.messagesReceived).toBe(5)
    expect(renders).toBe(before)
  })

  it('reports no error once a failed channel has joined again, even while it later reconnects', async () => {
    harness = createHarness()
    harness.transport.joinReply = (_topic, joinNumber) =>
      joinNumber === 1 ? new RealtimeError('CHANNEL_ERROR', 'boom once') : 'ok'
    const { result } = await renderSubscription(harness, tableSpec('project:1'))
    await settle(harness)
    await vi.waitFor(() => expect(result.current.error?.message).toBe('boom once'))
    await harness.clock.advance(5_000)
    await vi.waitFor(() => expect(result.current.isSubscribed).toBe(true))
    expect(result.current.error).toBeNull()
    harness.transport.connectBehavior = 'hang'
    harness.transport.dropSocket()
    await harness.clock.advance(100)
    expect(harness.state().channels['project:1']?.state).not.toBe('subscribed')
    expect(result.current.isSubscribed).toBe(false)
    expect(result.current.error).toBeNull()
  })

  it('releases its subscription when enabled turns false', async () => {
    harness = createHarness()
    const hook = await renderSubscription(harness, tableSpec('project:1'))
    await settle(harness)
    await hook.rerender({ ...tableSpec('project:1'), enabled: false })
    await harness.clock.advance(2_000)
    expect(harness.payloadsOf(harness.realtime.events.subscriptionReleased)).toHaveLength(1)
    expect(harness.transport.channelTopics()).toEqual([])
    expect(hook.result.current.isSubscribed).toBe(false)
  })

  it('drops a debounced event still pending when the component unmounts', async () => {
    harness = createHarness()
    const onMessage = vi.fn()
    const hook = await renderSubscription(harness, { ...tableSpec('project:1'), onMessage, debounceMs: 100 })
    await settle(harness)
    harness.transport.emitEvent(insertEvent('project:1', 'generations', { id: 1 }, harness.clock.now()))
    await harness.clock.advance(20)
    await hook.unmount()
    await harness.clock.advance(1_000)
    expect(onMessage).not.toHaveBeenCalled()
  })

  it('moves its subscription to a new realtime instance given to the provider', async () => {
    harness = createHarness()
    const second = createHarness()
    try {
      let current: Harness = harness
      const Wrapper = ({ children }: { children: ReactNode }) => {
        const Providers = providersFor(current)
        return <Providers>{children}</Providers>
      }
      const hook = await renderHook(() => useRealtimeSubscription(tableSpec('project:1')), { wrapper: Wrapper })
      await settle(harness)
      current = second
      await hook.rerender()
      await settle(second)
      await harness.clock.advance(2_000)
      expect(harness.transport.channelTopics()).toEqual([])
      expect(second.transport.channelTopics()).toEqual(['project:1'])
      await vi.waitFor(() => expect(hook.result.current.isSubscribed).toBe(true))
    } finally {
      finishHarness(second)
    }
  })

  it('sends broadcasts on its own topic', async () => {
    harness = createHarness()
    const { result } = await renderSubscription(harness, { topic: 'room:1', broadcast: ['PING'] })
    await settle(harness)
    await expect(result.current.broadcast('PING', { n: 1 })).resolves.toBe('ok')
    expect(harness.payloadsOf(harness.realtime.events.broadcastSent)).toMatchObject([
      { topic: 'room:1', event: 'PING', status: 'ok' },
    ])
  })

  it('rejects a debounceMs that is not a number of milliseconds, naming it', async () => {
    harness = createHarness()
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      await expect(renderSubscription(harness, { ...tableSpec('project:1'), debounceMs: -1 })).rejects.toThrow(
        /useRealtimeSubscription\(\): debounceMs must be a finite number/,
      )
    } finally {
      quiet.mockRestore()
    }
    expect(requests(harness)).toBe(0)
  })

  it('rejects a RealtimeProvider given something other than a realtime instance', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      await expect(render(<RealtimeProvider realtime={{} as never}>{null}</RealtimeProvider>)).rejects.toThrow(
        /<RealtimeProvider>: the realtime prop must be the instance createRealtime\(\) returned/,
      )
    } finally {
      quiet.mockRestore()
    }
  })

  it('throws a TypeError naming the field for a bad spec', async () => {
    harness = createHarness()
    const errors: unknown[] = []
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      await renderSubscription(harness, {
        topic: 'project:1',
        postgres: [{ event: 'UPSERT' as 'INSERT', schema: 'public', table: 'generations' }],
      }).catch((error: unknown) => errors.push(error))
    } finally {
      quiet.mockRestore()
    }
    expect(String(errors[0])).toMatch(/TypeError: subscribe\(\): postgres\[0\]\.event must be/)
    expect(requests(harness)).toBe(0)
  })
})
