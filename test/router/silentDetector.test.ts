import { afterEach, describe, expect, it } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import type { RealtimeOptions } from '../../src/core/options'
import { isTagCoveredLive } from '../../src/router/topicLiveness'
import type { Harness } from '../support/harness'
import { announce, oneTopicTwoTables as start, type TablesHarness } from '../support/tablesApi'

let h: TablesHarness | null = null
afterEach(() => {
  h?.stop()
  h = null
})

async function oneTopicTwoTables(options: Partial<RealtimeOptions> = {}) {
  h = await start(options)
  expect(h.state().channels['project:1']?.state).toBe('subscribed')
  return h
}

function fetchesOf(harness: Harness, endpoint: 'a' | 'b') {
  return harness.actions.filter(
    (action) =>
      action.type === 'tablesApi/executeQuery/fulfilled' &&
      (action as { meta?: { arg?: { endpointName?: string } } }).meta?.arg?.endpointName === endpoint,
  ).length
}

describe('the silent detector', () => {
  it('marks the table whose change the safety net found unannounced silent, not the healthy one on its topic', async () => {
    const harness = await oneTopicTwoTables()
    harness.db.a += 1
    announce(harness, 'a')
    harness.db.b += 1
    await harness.clock.advance(60_000)
    const metrics = harness.realtime.selectors.selectMetrics(harness.store.getState())
    expect(metrics.eventsMissed).toBe(1)
    expect(metrics.sourcesSilenced).toBe(1)
    expect(harness.realtime.selectors.selectAlert(harness.store.getState())).toMatchObject({
      type: 'REALTIME_SILENT',
      topic: 'project:1',
      table: 'public.b',
      bindings: ['public.b'],
    })
    expect(isTagCoveredLive(harness.state(), 'project:1', { type: 'B' })).toBe(false)
    expect(isTagCoveredLive(harness.state(), 'project:1', { type: 'A' })).toBe(true)
    expect(harness.state().history.transitions.at(-1)).toMatchObject({ topic: 'project:1', mode: 'silent' })
    const warning = harness.logs.find((log) => log.level === 'warn' && log.line.includes('delivered no event'))
    expect(warning?.line).toMatch(/public\.b on topic project:1.*publication.*RLS.*trigger/)
  })

  it('polls a silent table on the dead-mode cadence while the healthy table keeps relying on its events', async () => {
    const harness = await oneTopicTwoTables()
    harness.db.b += 1
    await harness.clock.advance(60_000)
    expect(harness.realtime.selectors.selectPollingInterval(harness.store.getState())).toBeLessThanOrEqual(15_000)
    const [aBefore, bBefore] = [fetchesOf(harness, 'a'), fetchesOf(harness, 'b')]
    harness.db.b += 1
    await harness.clock.advance(20_000)
    expect(fetchesOf(harness, 'b') - bBefore).toBeGreaterThanOrEqual(2)
    expect(fetchesOf(harness, 'a')).toBe(aBefore)
    expect(harness.realtime.selectors.selectMetrics(harness.store.getState()).eventsMissed).toBe(2)
  })

  it('trusts the table again once an event of it arrives, and goes back to the safety net', async () => {
    const harness = await oneTopicTwoTables()
    harness.db.b += 1
    await harness.clock.advance(60_000)
    expect(harness.realtime.selectors.selectAlert(harness.store.getState())).not.toBe(false)
    announce(harness, 'b')
    await harness.clock.advance(100)
    expect(harness.state().sources).toEqual({})
    expect(harness.realtime.selectors.selectAlert(harness.store.getState())).toBe(false)
    expect(harness.realtime.selectors.selectPollingInterval(harness.store.getState())).toBe(60_000)
  })

  it('counts no miss when the safety net finds the data unchanged', async () => {
    const harness = await oneTopicTwoTables()
    await harness.clock.advance(60_000)
    expect(fetchesOf(harness, 'b')).toBe(2)
    expect(harness.realtime.selectors.selectMetrics(harness.store.getState()).eventsMissed).toBe(0)
    expect(harness.state().sources).toEqual({})
  })

  it('counts no miss for a change whose event arrived after the cached data was fetched', async () => {
    const harness = await oneTopicTwoTables({ throttleMs: 60_000 })
    announce(harness, 'b')
    await harness.clock.advance(10)
    harness.db.b += 1
    // The event's refetch ran before the change; the next event would have refetched it (held by the throttle here).
    announce(harness, 'b')
    await harness.clock.advance(60_000)
    expect(harness.realtime.selectors.selectMetrics(harness.store.getState()).eventsMissed).toBe(0)
  })

  it('takes no refetch but a poll, safety-net or focus one for a miss (a mutation, the app forcing one)', async () => {
    const harness = await oneTopicTwoTables()
    harness.db.b += 1
    harness.store.dispatch(harness.api.endpoints.b.initiate(undefined, { forceRefetch: true }) as never)
    await harness.clock.advance(0)
    expect(harness.api.endpoints.b.select()(harness.store.getState() as never).data).toEqual({ version: 1 })
    expect(harness.realtime.selectors.selectMetrics(harness.store.getState()).eventsMissed).toBe(0)
  })

  it('with silentAfterMisses: 2, counts the first miss and marks the source silent at the second', async () => {
    const harness = await oneTopicTwoTables({ silentAfterMisses: 2 })
    harness.db.b += 1
    await harness.clock.advance(60_000)
    expect(harness.state().sources['project:1\nB']).toMatchObject({ misses: 1, silent: false })
    expect(harness.realtime.selectors.selectAlert(harness.store.getState())).toBe(false)
    expect(harness.realtime.selectors.selectPollingInterval(harness.store.getState())).toBe(60_000)
    harness.db.b += 1
    await harness.clock.advance(60_000)
    expect(harness.state().sources['project:1\nB']).toMatchObject({ misses: 2, silent: true })
  })

  it('finds a miss on the focus refetch too', async () => {
    const harness = await oneTopicTwoTables()
    harness.store.dispatch(harness.realtime.actions.setVisibility(false))
    harness.db.b += 1
    await harness.clock.advance(6_000)
    harness.store.dispatch(harness.realtime.actions.setVisibility(true))
    await harness.clock.advance(0)
    expect(harness.realtime.selectors.selectMetrics(harness.store.getState()).eventsMissed).toBe(1)
  })

  it('forgets the sources of a topic whose channel is removed', async () => {
    const harness = await oneTopicTwoTables()
    harness.db.b += 1
    await harness.clock.advance(60_000)
    expect(Object.keys(harness.state().sources)).toHaveLength(1)
    harness.store.dispatch(harness.realtime.events.channelRemoved({ topic: 'project:1', at: harness.clock.now() }))
    expect(harness.state().sources).toEqual({})
  })
})

describe('silentAfterMisses', () => {
  it.each([[-1], [1.5], ['2'], [Number.NaN], [1_001]])('rejects %j naming the option', (value) => {
    expect(() => createRealtime({ silentAfterMisses: value } as never)).toThrow(/silentAfterMisses/)
  })
})
