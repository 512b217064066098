import { describe, expect, it } from 'vitest'
import { computeFreshness, coversAny } from '../../src/freshness/freshnessModel'
import { addCoverage, freshnessReducers } from '../../src/slice/freshnessState'
import { silentSourceKey } from '../../src/slice/silenceReducers'
import { initialRealtimeState, newChannelRecord, type ChannelState } from '../../src/slice/state'

const QUERY = [{ type: 'Todos', id: 1 }]

/** A connected slice whose topics (each covering the query) are in the given states; `catchingUp` topics rejoined at 500. */
function stateWith(topics: Record<string, ChannelState>, catchingUp: string[] = []) {
  const state = initialRealtimeState(true)
  state.connection = 'connected'
  state.metrics.pollIntervalMs = 7_000
  for (const [topic, channelState] of Object.entries(topics)) {
    state.channels[topic] = {
      ...newChannelRecord(topic, false),
      state: channelState,
      subscriberCount: 1,
      joinedAt: 500,
      lostAt: channelState === 'subscribed' ? null : 300,
    }
    addCoverage(state.freshness, topic, [{ type: 'Todos', id: 1 }])
  }
  for (const topic of catchingUp) state.freshness.catchUps[topic] = { joinedAt: 500, since: 200 }
  return state
}

const modeOf = (state: ReturnType<typeof stateWith>) =>
  computeFreshness({ realtime: state, providedTags: QUERY, confirmedAt: 900 })

describe('the freshness of one query', () => {
  it('takes the weakest covering topic: polling over catching-up over live', () => {
    expect(modeOf(stateWith({ a: 'subscribed', b: 'subscribed' })).mode).toBe('live')
    expect(modeOf(stateWith({ a: 'subscribed', b: 'subscribed' }, ['b']))).toMatchObject({
      mode: 'catching-up',
      staleSince: 200,
      pollIntervalMs: null,
    })
    expect(modeOf(stateWith({ a: 'subscribed', b: 'error' }, ['a']))).toMatchObject({
      mode: 'polling',
      staleSince: 300,
      pollIntervalMs: 7_000,
    })
  })

  it('calls a live topic polling for a query whose covering tag was found silent, and only that query', () => {
    const state = stateWith({ a: 'subscribed' })
    addCoverage(state.freshness, 'a', [{ type: 'Notes', id: 1 }])
    state.sources[silentSourceKey('a', 'Todos|1')] = {
      topic: 'a',
      tag: { type: 'Todos', id: 1 },
      bindings: ['public.todos'],
      misses: 1,
      silent: true,
      lastMissAt: 600,
      silentSince: 600,
    }
    expect(modeOf(state)).toMatchObject({ mode: 'polling', staleSince: 600, pollIntervalMs: 7_000 })
    const notes = computeFreshness({ realtime: state, providedTags: [{ type: 'Notes', id: 1 }], confirmedAt: 900 })
    expect(notes.mode).toBe('live')
    state.sources[silentSourceKey('a', 'Todos|1')]!.silent = false
    expect(modeOf(state).mode).toBe('live')
  })

  it('ignores a catch-up record of an earlier join', () => {
    const state = stateWith({ a: 'subscribed' }, ['a'])
    state.channels.a!.joinedAt = 800
    expect(modeOf(state).mode).toBe('live')
  })

  it('calls every topic polling on a slow link or while the connection is down', () => {
    const slow = stateWith({ a: 'subscribed' })
    slow.slowLink = true
    expect(modeOf(slow).mode).toBe('polling')
    const down = stateWith({ a: 'subscribed' })
    down.connection = 'reconnecting'
    down.connectionSince = 350
    expect(modeOf(down)).toMatchObject({ mode: 'polling', staleSince: 350 })
  })

  it('is unmanaged, stale since its last confirmation, when no topic covers it', () => {
    const state = stateWith({})
    expect(modeOf(state)).toEqual({
      mode: 'unmanaged',
      lastConfirmedAt: 900,
      staleSince: 900,
      pendingWrites: 0,
      pollIntervalMs: null,
    })
  })

  it('counts the pending writes whose tags cover it', () => {
    const state = stateWith({ a: 'subscribed' })
    state.freshness.writes.w1 = { table: 'todos', tags: [{ type: 'Todos' }], since: 1 }
    state.freshness.writes.w2 = { table: 'notes', tags: [{ type: 'Notes' }], since: 1 }
    expect(modeOf(state).pendingWrites).toBe(1)
  })
})

describe('which tags cover a query (RTK Query’s invalidation rule)', () => {
  it('matches a type to every tag of it, an id only to the same id', () => {
    expect(coversAny([{ type: 'Todos' }], [{ type: 'Todos', id: 3 }])).toBe(true)
    expect(coversAny([{ type: 'Todos' }], [{ type: 'Todos' }])).toBe(true)
    expect(coversAny([{ type: 'Todos', id: '3' }], [{ type: 'Todos', id: 3 }])).toBe(true)
    expect(coversAny([{ type: 'Todos', id: 3 }], [{ type: 'Todos' }])).toBe(false)
    expect(coversAny([{ type: 'Todos', id: 3 }], [{ type: 'Todos', id: 4 }])).toBe(false)
    expect(coversAny([{ type: 'Notes' }], [{ type: 'Todos', id: 3 }])).toBe(false)
  })
})

describe('confirmation times in the slice', () => {
  it('keeps the newest 2,000 queries, dropping the oldest confirmed first', () => {
    const state = initialRealtimeState(true)
    const keys = Array.from({ length: 2_001 }, (_, index) => `q${index}`)
    freshnessReducers.queriesConfirmed(state, { type: 'x', payload: { queryCacheKeys: keys.slice(0, 2_000), at: 1 } })
    freshnessReducers.queriesConfirmed(state, { type: 'x', payload: { queryCacheKeys: ['q0'], at: 2 } })
    freshnessReducers.queriesConfirmed(state, { type: 'x', payload: { queryCacheKeys: ['q2000'], at: 3 } })
    expect(Object.keys(state.freshness.confirmedAt)).toHaveLength(2_000)
    expect(state.freshness.confirmedCount).toBe(2_000)
    expect(state.freshness.confirmedAt.q1).toBeUndefined()
    expect(state.freshness.confirmedAt).toMatchObject({ q0: 2, q2000: 3 })
  })
})
