import { describe, expect, it } from 'vitest'
import { flushMicrotasks } from '../support/fakeClock'
import { announce, oneTopicTwoTables } from '../support/tablesApi'

describe('stop()', () => {
  it('flushes the last events through a running router, then leaves no timer behind', async () => {
    const harness = await oneTopicTwoTables()
    const { clock, realtime, store } = harness
    announce(harness, 'a') // opens a batch window: the next event waits for its end
    announce(harness, 'b')
    await flushMicrotasks()
    const metricsBefore = realtime.selectors.selectMetrics(store.getState())
    harness.stop()
    await flushMicrotasks()
    const metrics = realtime.selectors.selectMetrics(store.getState())
    // The event still batched at stop is not lost: counted, and routed by a router not yet stopped.
    expect(metrics.messagesReceived).toBe(metricsBefore.messagesReceived + 1)
    expect(metrics.eventsRouted).toBe(metricsBefore.eventsRouted + 1)
    expect(clock.pendingTimers()).toBe(0)
    const reportsAfterStop = harness.actions.length
    await clock.advance(10_000)
    expect(harness.actions.length).toBe(reportsAfterStop)
  })
})

describe('stop() and the state it leaves', () => {
  it('leaves the connection idle, every channel closed and no query live, and start() again makes them live', async () => {
    const harness = await oneTopicTwoTables()
    const { clock, realtime, store } = harness
    await clock.advance(31_000) // the first join's catch-up settles
    const freshnessOfA = () => realtime.selectors.selectFreshness('a', undefined)(store.getState())
    expect(freshnessOfA().mode).toBe('live')
    harness.stop()
    await flushMicrotasks()
    const stopped = realtime.selectors.selectRealtimeState(store.getState())
    expect(stopped.connection).toBe('idle')
    expect(stopped.channels['project:1']?.state).toBe('closed')
    expect(stopped.freshness.coverage).toEqual({})
    expect(stopped.freshness.catchUps).toEqual({})
    expect(freshnessOfA().mode).not.toBe('live')
    const stopAgain = realtime.start(store)
    await clock.advance(100)
    const restarted = realtime.selectors.selectRealtimeState(store.getState())
    expect(restarted.connection).toBe('connected')
    expect(restarted.channels['project:1']?.state).toBe('subscribed')
    await clock.advance(31_000)
    expect(freshnessOfA().mode).toBe('live')
    stopAgain()
  })
})
