import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RealtimeEvent } from '../../src/events/events'
import { createHarness, finishHarness, type Harness, insertEvent, tableSpec } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

describe('events', () => {
  it('delivers the first event of a burst at once and the rest as one eventsReceived when the 16 ms window ends', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    const sizes = () => harness!.payloadsOf(realtime.events.eventsReceived).map((batch) => batch.events.length)

    const sentAt = clock.now()
    for (let i = 0; i < 100; i++)
      transport.emitEvent(insertEvent('project:1', 'generations', { id: i, project_id: 1 }, sentAt))
    // No batch was open: the first event went out in the same turn, the other 99 wait for the window.
    expect(sizes()).toEqual([1])
    await clock.advance(15)
    expect(sizes()).toEqual([1])
    await clock.advance(1)
    const batches = harness.payloadsOf(realtime.events.eventsReceived)
    expect(sizes()).toEqual([1, 99])
    expect(
      batches.flatMap((batch) =>
        batch.events.map((event) => (event.kind === 'postgres_changes' ? event.new?.id : null)),
      ),
    ).toEqual(Array.from({ length: 100 }, (_, i) => i))
    expect(batches.map((batch) => batch.at)).toEqual([sentAt, sentAt + 16])

    const metrics = realtime.selectors.selectMetrics(store.getState())
    expect(metrics.messagesReceived).toBe(100)
    expect(metrics.lastEventAt).toBe(sentAt + 16)
    expect(harness.state().channels['project:1']?.lastMessageAt).toBe(sentAt)

    // A window that ends empty closes the batch; a later event goes out at once again.
    await clock.advance(100)
    transport.emitEvent(insertEvent('project:1', 'generations', { id: 100, project_id: 1 }, clock.now()))
    expect(sizes()).toEqual([1, 99, 1])
    expect(realtime.selectors.selectMetrics(store.getState()).messagesReceived).toBe(101)
    expect(harness.state().channels['project:1']?.lastMessageAt).toBe(clock.now())
  })

  it('keeps batching per 16 ms window while events keep arriving, and delivers at once after an empty frame', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    const started = clock.now()
    // One event every 5 ms for 100 ms: one immediate, then one batch per window.
    for (let i = 0; i < 20; i++) {
      transport.emitEvent(insertEvent('project:1', 'generations', { id: i, project_id: 1 }, clock.now()))
      await clock.advance(5)
    }
    await clock.advance(100)
    const batches = harness.payloadsOf(realtime.events.eventsReceived)
    expect(batches[0]).toMatchObject({ at: started })
    expect(batches[0]!.events).toHaveLength(1)
    expect(batches.slice(1).map((batch) => batch.at - started)).toEqual([16, 32, 48, 64, 80, 96])
    expect(batches.reduce((sum, batch) => sum + batch.events.length, 0)).toBe(20)
  })

  it('calls each onMessage only with the events its own bindings match', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const generations = vi.fn<(event: RealtimeEvent) => void>()
    const shotsOfProject1 = vi.fn<(event: RealtimeEvent) => void>()
    const broadcasts = vi.fn<(event: RealtimeEvent) => void>()
    realtime.subscribe({
      topic: 'project:1',
      postgres: [{ event: '*', schema: 'public', table: 'generations' }],
      onMessage: generations,
    })
    realtime.subscribe({
      topic: 'project:1',
      postgres: [{ event: 'INSERT', schema: 'public', table: 'shots', filter: 'project_id=eq.1' }],
      onMessage: shotsOfProject1,
    })
    realtime.subscribe({ topic: 'project:1', broadcast: ['GENERATIONS_UPDATED'], onMessage: broadcasts })
    await clock.advance(100)
    expect(transport.joins('project:1')).toBe(1)

    const now = clock.now()
    const generation = insertEvent('project:1', 'generations', { id: 1, project_id: 1 }, now)
    const shotOf1 = insertEvent('project:1', 'shots', { id: 2, project_id: 1 }, now)
    const shotOf2 = insertEvent('project:1', 'shots', { id: 3, project_id: 2 }, now)
    const broadcast: RealtimeEvent = {
      kind: 'broadcast',
      topic: 'project:1',
      receivedAt: now,
      event: 'GENERATIONS_UPDATED',
      payload: { projectId: 1 },
    }
    const otherBroadcast: RealtimeEvent = {
      kind: 'broadcast',
      topic: 'project:1',
      receivedAt: now,
      event: 'SOMETHING_ELSE',
      payload: {},
    }
    for (const event of [generation, shotOf1, shotOf2, broadcast, otherBroadcast]) transport.emitEvent(event)
    await clock.advance(16)

    expect(generations.mock.calls.map(([event]) => event)).toEqual([generation])
    expect(shotsOfProject1.mock.calls.map(([event]) => event)).toEqual([shotOf1])
    expect(broadcasts.mock.calls.map(([event]) => event)).toEqual([broadcast])
    // The store still sees every event the channel delivered.
    expect(harness.payloadsOf(realtime.events.eventsReceived).flatMap((batch) => batch.events)).toHaveLength(5)
  })

  it('keeps delivering to other subscribers when an onMessage throws, and logs it once', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const thrower = vi.fn(() => {
      throw new Error('component bug')
    })
    const healthy = vi.fn()
    realtime.subscribe(tableSpec('project:1', 'generations', { onMessage: thrower }))
    realtime.subscribe(tableSpec('project:1', 'generations', { onMessage: healthy }))
    await clock.advance(100)

    for (let i = 0; i < 3; i++) transport.emitEvent(insertEvent('project:1', 'generations', { id: i }, clock.now()))
    await clock.advance(16)
    expect(thrower).toHaveBeenCalledTimes(3)
    expect(healthy).toHaveBeenCalledTimes(3)
    expect(harness.logs.filter((log) => log.line.includes('onMessage callback threw'))).toHaveLength(1)
    expect(harness.logs.filter((log) => log.level === 'error' && log.line.includes('crashed'))).toHaveLength(0)
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
    expect(harness.payloadsOf(realtime.events.eventsReceived).flatMap((batch) => batch.events)).toHaveLength(3)
  })

  it('stops calling onMessage after unsubscribe()', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const first = vi.fn()
    const second = vi.fn()
    const handle = realtime.subscribe(tableSpec('project:1', 'generations', { onMessage: first }))
    realtime.subscribe(tableSpec('project:1', 'generations', { onMessage: second }))
    await clock.advance(100)
    handle.unsubscribe()
    transport.emitEvent(insertEvent('project:1', 'generations', { id: 1 }, clock.now()))
    await clock.advance(16)
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledTimes(1)
  })
})

describe('broadcast()', () => {
  it("answers 'ok' on a joined topic and counts the message", async () => {
    harness = createHarness()
    const { realtime, clock, store } = harness
    realtime.subscribe({ topic: 'project:1', broadcast: ['GENERATIONS_UPDATED'] })
    await clock.advance(100)
    await expect(realtime.broadcast('project:1', 'GENERATIONS_UPDATED', { projectId: 1 })).resolves.toBe('ok')
    expect(realtime.selectors.selectMetrics(store.getState()).messagesSent).toBe(1)
  })

  it("answers 'error' on a topic without a joined channel, logs it and counts a BROADCAST_ERROR", async () => {
    harness = createHarness()
    const { realtime, clock, store, transport } = harness
    await expect(realtime.broadcast('project:9', 'GENERATIONS_UPDATED', {})).resolves.toBe('error')
    await expect(realtime.broadcast('project:9', 'GENERATIONS_UPDATED', {})).resolves.toBe('error')
    const metrics = realtime.selectors.selectMetrics(store.getState())
    expect(metrics.messagesSent).toBe(0)
    expect(metrics.errorsByType.BROADCAST_ERROR).toBe(2)
    expect(
      harness.logs.filter(
        (log) => log.level === 'warn' && log.line.includes('broadcast() on a topic with no joined channel'),
      ),
    ).toHaveLength(1)

    // A topic whose channel is not joined (yet, or any more) is the same as an unsubscribed one.
    transport.joinReply = () => 'hang'
    realtime.subscribe({ topic: 'project:2', broadcast: ['X'] })
    await clock.advance(100)
    await expect(realtime.broadcast('project:2', 'X', {})).resolves.toBe('error')
    expect(realtime.selectors.selectMetrics(store.getState()).errorsByType.BROADCAST_ERROR).toBe(3)
  })
})
