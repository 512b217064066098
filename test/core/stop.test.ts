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
