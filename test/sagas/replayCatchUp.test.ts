import { afterEach, describe, expect, it } from 'vitest'
import { RealtimeError } from '../../src/errors/realtimeError'
import type { PostgresChangesEvent } from '../../src/events/events'
import { REPLAY_MARGIN_MS, REPLAY_WINDOW_MS } from '../../src/policy/replayPolicy'
import { finishHarness } from '../support/harness'
import { createRouterHarness } from '../support/routerHarness'

type RouterHarness = ReturnType<typeof createRouterHarness>
let harness: RouterHarness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

const TOPIC = 'project:1'
/** A tag only the topic's catch-up invalidates (the generations route never returns it). */
const CATCH_UP_TAG = { type: 'TaskStatusCounts', id: '1' } as const

/** A generations row change as Broadcast from Database delivers it. */
function change(id: number, messageId: string, replayed = false): Omit<PostgresChangesEvent, 'receivedAt'> {
  return {
    kind: 'postgres_changes',
    topic: TOPIC,
    schema: 'public',
    table: 'generations',
    eventType: 'INSERT',
    commitTimestamp: null,
    new: { id, project_id: 1 },
    old: null,
    via: 'broadcast',
    messageId,
    ...(replayed ? { replayed: true } : {}),
  }
}

/** A signed-in client with one private topic whose generations come by Broadcast from Database, joined once. */
async function joinedOnce(spec: Record<string, unknown> = {}) {
  const h = createRouterHarness()
  harness = h
  h.transport.signedIn = true
  h.realtime.subscribe({
    topic: TOPIC,
    private: true,
    changes: { via: 'broadcast', tables: ['generations'] },
    tags: [CATCH_UP_TAG],
    ...spec,
  })
  await h.clock.advance(100)
  expect(h.state().channels[TOPIC]?.state).toBe('subscribed')
  return h
}

/** Drops the socket and lets the library reconnect and rejoin the topic (`joins` joins in all): the server's replay follows the join reply at once. */
async function gap(h: RouterHarness, joins = 2) {
  h.transport.dropSocket()
  for (let waited = 0; waited < 60_000; waited += 10) {
    await h.clock.advance(10)
    const channel = h.state().channels[TOPIC]
    if (h.transport.joins(TOPIC) >= joins && channel?.state === 'subscribed') return
  }
  throw new Error(`${TOPIC} did not rejoin`)
}

const catchUpInvalidations = (h: RouterHarness) =>
  h.invalidations().filter((tags) => JSON.stringify(tags).includes('TaskStatusCounts')).length

describe('replay instead of refetch after a gap', () => {
  it('asks a rejoin to replay since the last message seen minus the margin, and never a first join', async () => {
    const h = await joinedOnce()
    h.emit(change(1, 'm-1'))
    const seenAt = h.clock.now()
    await h.clock.advance(16)
    await gap(h)
    const joins = h.transport.joinedConfigs.filter((join) => join.topic === TOPIC)
    expect(joins.map((join) => join.options)).toEqual([{}, { replay: { since: seenAt - REPLAY_MARGIN_MS, limit: 25 } }])
  })

  it('asks the next join for the same start when the socket drops before the replay is decided', async () => {
    const h = await joinedOnce()
    h.emit(change(1, 'm-1'))
    const seenAt = h.clock.now()
    await h.clock.advance(300_000)
    await gap(h)
    await h.clock.advance(REPLAY_WINDOW_MS / 3)
    h.emit(change(2, 'm-2', true))
    await gap(h, 3)
    const joins = h.transport.joinedConfigs.filter((join) => join.topic === TOPIC).map((join) => join.options)
    expect(joins.slice(1)).toEqual([
      { replay: { since: seenAt - REPLAY_MARGIN_MS, limit: 25 } },
      { replay: { since: seenAt - REPLAY_MARGIN_MS, limit: 25 } },
    ])
  })

  it('moves the next start past a replay once it is decided complete', async () => {
    const h = await joinedOnce()
    h.emit(change(1, 'm-1'))
    await h.clock.advance(300_000)
    await gap(h)
    const rejoinedAt = h.clock.now()
    h.emit(change(1, 'm-1', true))
    await h.clock.advance(REPLAY_WINDOW_MS)
    expect(h.state().channels[TOPIC]?.catchUp).toBe('replayed')
    await gap(h, 3)
    const third = h.transport.joinedConfigs.filter((join) => join.topic === TOPIC)[2]
    expect(third?.options.replay?.since).toBeGreaterThanOrEqual(rejoinedAt - REPLAY_MARGIN_MS)
  })

  it('routes the replayed messages like live ones, drops those seen live, and skips the blanket invalidation', async () => {
    const h = await joinedOnce()
    h.emit(change(1, 'm-1'))
    await h.clock.advance(16)
    await gap(h)
    const before = h.invalidations().length
    h.emit(change(1, 'm-1', true)) // already seen live: idempotent
    h.emit(change(2, 'm-2', true))
    await h.clock.advance(REPLAY_WINDOW_MS)
    expect(catchUpInvalidations(h)).toBe(0)
    expect(h.invalidations().length).toBe(before + 1) // the route of m-2, once
    const metrics = h.metrics()
    expect([metrics.catchUpReplayed, metrics.catchUpInvalidated, metrics.messagesReplayed]).toEqual([1, 0, 2])
    expect(h.state().channels[TOPIC]?.catchUp).toBe('replayed')
  })

  it('falls back to the blanket invalidation when the replay reaches its limit', async () => {
    const h = await joinedOnce()
    await gap(h)
    for (let n = 0; n < 25; n++) h.emit(change(n, `m-${n}`, true))
    await h.clock.advance(REPLAY_WINDOW_MS)
    expect(catchUpInvalidations(h)).toBe(1)
    const metrics = h.metrics()
    expect([metrics.catchUpReplayed, metrics.catchUpInvalidated, metrics.messagesReplayed]).toEqual([0, 1, 25])
    expect(h.state().channels[TOPIC]?.catchUp).toBe('invalidated')
  })

  it('still falls back when the limit is reached by replayed messages that arrive after the window', async () => {
    const h = await joinedOnce()
    await gap(h)
    for (let n = 0; n < 24; n++) h.emit(change(n, `m-${n}`, true))
    await h.clock.advance(REPLAY_WINDOW_MS)
    expect(h.metrics().catchUpReplayed).toBe(1)
    h.emit(change(24, 'm-24', true))
    await h.clock.advance(100)
    expect(catchUpInvalidations(h)).toBe(1)
    expect(h.metrics().catchUpInvalidated).toBe(1)
    h.emit(change(25, 'm-25', true))
    await h.clock.advance(100)
    expect(h.metrics().catchUpInvalidated).toBe(1) // once per join
    expect(h.metrics().messagesReplayed).toBe(25) // each counted once (the 26th, after the fallback, is not)
  })

  it('falls back when a replay comes back without the last message seen (replay ignored, or clocks far apart)', async () => {
    const h = await joinedOnce()
    h.emit(change(1, 'm-1'))
    await h.clock.advance(16)
    await gap(h)
    h.emit(change(2, 'm-2', true)) // newer than since, but m-1 (inside the 30 s margin) is missing
    await h.clock.advance(REPLAY_WINDOW_MS)
    expect(catchUpInvalidations(h)).toBe(1)
    const metrics = h.metrics()
    expect([metrics.catchUpReplayed, metrics.catchUpInvalidated, metrics.messagesReplayed]).toEqual([0, 1, 1])
    expect(h.state().channels[TOPIC]?.catchUp).toBe('invalidated')
  })

  it('falls back when a replay returns nothing although the last message seen is in its range', async () => {
    const h = await joinedOnce()
    h.emit(change(1, 'm-1'))
    await h.clock.advance(16)
    await gap(h)
    await h.clock.advance(REPLAY_WINDOW_MS)
    expect(catchUpInvalidations(h)).toBe(1)
    expect(h.state().channels[TOPIC]?.catchUp).toBe('invalidated')
  })

  it('calls an empty replay complete when no message was seen within its range', async () => {
    const h = await joinedOnce()
    h.emit(change(1, 'm-1'))
    await h.clock.advance(REPLAY_MARGIN_MS + 1_000)
    await gap(h)
    h.emit(change(1, 'm-1', true))
    await h.clock.advance(REPLAY_WINDOW_MS)
    await gap(h, 3) // since is the second join minus the margin: m-1, seen before it, is out of range
    await h.clock.advance(REPLAY_WINDOW_MS)
    expect(h.metrics().catchUpReplayed).toBe(2)
    expect(h.state().channels[TOPIC]?.catchUp).toBe('replayed')
  })

  it('rejoins without replay after the server refuses it, and invalidates that gap', async () => {
    const h = await joinedOnce()
    h.transport.joinReply = (_topic, joinNumber) =>
      joinNumber === 2
        ? new RealtimeError('CHANNEL_ERROR', 'UnableToReplayMessages: Replay params are not valid')
        : 'ok'
    await gap(h, 3)
    await h.clock.advance(REPLAY_WINDOW_MS)
    const joins = h.transport.joinedConfigs.filter((join) => join.topic === TOPIC).map((join) => join.options)
    expect(joins).toHaveLength(3)
    expect(joins[1]?.replay).toBeDefined()
    expect(joins[2]).toEqual({})
    expect(catchUpInvalidations(h)).toBe(1)
    expect(h.metrics().catchUpInvalidated).toBe(1)
  })

  it.each([
    ['a public topic', { private: false, changes: undefined, broadcast: ['GENERATIONS_UPDATED'] }],
    ['a topic with postgres_changes bindings', { postgres: [{ event: '*', schema: 'public', table: 'shots' }] }],
    ['a topic with client broadcasts (not stored)', { broadcast: ['GENERATIONS_UPDATED'] }],
    ['a subscriber that turned replay off', { changes: { via: 'broadcast', tables: ['generations'], replay: false } }],
  ])('invalidates after the gap of %s, without asking for replay', async (_name, spec) => {
    const h = await joinedOnce(spec)
    await gap(h)
    await h.clock.advance(REPLAY_WINDOW_MS)
    const joins = h.transport.joinedConfigs.filter((join) => join.topic === TOPIC)
    expect(joins.map((join) => join.options)).toEqual([{}, {}])
    expect(catchUpInvalidations(h)).toBe(1)
    expect(h.metrics().catchUpInvalidated).toBe(1)
  })
})
