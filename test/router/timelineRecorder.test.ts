import { afterEach, describe, expect, it } from 'vitest'
import { HISTORY_KEPT } from '../../src/slice/historyReducers'
import { insertEvent } from '../support/harness'
import { createRouterHarness, type RouterHarness } from '../support/routerHarness'

let h: RouterHarness | null = null
afterEach(() => {
  h?.stop()
  h = null
})

const history = (harness: RouterHarness) => harness.realtime.selectors.selectHistory(harness.store.getState())

describe('the timeline recorder', () => {
  it('records the connection and each topic going live, then polling after a drop, each stamped with the clock', async () => {
    h = createRouterHarness({}, { seed: 4 })
    h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await h.clock.advance(100)
    const live = history(h).transitions
    expect(live).toContainEqual(expect.objectContaining({ kind: 'connection', state: 'connected' }))
    expect(live.at(-1)).toMatchObject({ kind: 'topic', topic: 'project:p1', mode: 'live' })
    h.transport.connectBehavior = 'refuse'
    const droppedAt = h.clock.now()
    h.transport.dropSocket()
    await h.clock.advance(0)
    const after = history(h).transitions.slice(live.length)
    expect(after).toContainEqual({ at: droppedAt, kind: 'topic', topic: 'project:p1', mode: 'polling' })
    expect(after.some((transition) => transition.kind === 'connection' && transition.state !== 'connected')).toBe(true)
  })

  it('records nothing for actions that leave the connection and the topics alone', async () => {
    h = createRouterHarness({}, { seed: 4 })
    h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await h.clock.advance(100)
    const before = history(h).transitions.length
    h.mount('projectGenerations', 'p1')
    h.emit(insertEvent('project:p1', 'generations', { id: 1, project_id: 'p1' }, h.clock.now()))
    await h.clock.advance(1_000)
    expect(history(h).transitions).toHaveLength(before)
  })

  it('keeps event→refetch samples with their time, and at most HISTORY_KEPT transitions', async () => {
    h = createRouterHarness({}, { seed: 4 })
    h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await h.clock.advance(100)
    h.mount('projectGenerations', 'p1')
    await h.clock.advance(0)
    h.emit(insertEvent('project:p1', 'generations', { id: 1, project_id: 'p1' }, h.clock.now()))
    await h.clock.advance(1_000)
    expect(history(h).latency).toEqual([{ at: expect.any(Number), ms: expect.any(Number) }])
    for (let i = 0; i < HISTORY_KEPT; i += 1) {
      h.store.dispatch(h.realtime.events.timelineChanged({ at: h.clock.now(), topics: { [`t${i}`]: 'live' } }))
    }
    expect(history(h).transitions).toHaveLength(HISTORY_KEPT)
    expect(history(h).transitions.at(-1)).toMatchObject({ topic: `t${HISTORY_KEPT - 1}` })
  })
})
