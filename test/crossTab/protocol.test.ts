import { describe, expect, it } from 'vitest'
import {
  announcedTags,
  invalidateMessages,
  isRelayTag,
  MAX_RELAY_TAGS,
  parseMessage,
} from '../../src/crossTab/protocol'

describe('cross-tab protocol', () => {
  it('accepts the four message kinds of version 1, keeping only their known fields', () => {
    expect(parseMessage({ v: 1, kind: 'heartbeat', from: 'a', leader: true, visible: false, extra: 'x' })).toEqual({
      ok: true,
      message: { v: 1, kind: 'heartbeat', from: 'a', leader: true, visible: false },
    })
    expect(parseMessage({ v: 1, kind: 'bye', from: 'a' })).toEqual({
      ok: true,
      message: { v: 1, kind: 'bye', from: 'a' },
    })
    expect(parseMessage({ v: 1, kind: 'connected', from: 'a', leader: true })).toEqual({
      ok: true,
      message: { v: 1, kind: 'connected', from: 'a' },
    })
    expect(
      parseMessage({
        v: 1,
        kind: 'invalidate',
        from: 'a',
        tags: [{ type: 'Todos', id: 1, secret: 'row data' }, { type: 'Projects' }],
      }),
    ).toEqual({
      ok: true,
      message: { v: 1, kind: 'invalidate', from: 'a', tags: [{ type: 'Todos', id: 1 }, { type: 'Projects' }] },
    })
  })

  it.each([
    [null, 'NOT_AN_OBJECT'],
    [42, 'NOT_AN_OBJECT'],
    [[], 'NOT_AN_OBJECT'],
    [{ kind: 'bye', from: 'a' }, 'UNSUPPORTED_VERSION'],
    [{ v: '1', kind: 'bye', from: 'a' }, 'UNSUPPORTED_VERSION'],
    [{ v: 2, kind: 'bye', from: 'a' }, 'UNSUPPORTED_VERSION'],
    [{ v: 1, kind: 'hello', from: 'a' }, 'UNKNOWN_KIND'],
    [{ v: 1, kind: 'bye' }, 'BAD_SENDER'],
    [{ v: 1, kind: 'bye', from: 7 }, 'BAD_SENDER'],
    [{ v: 2, kind: 'connected', from: 'a' }, 'UNSUPPORTED_VERSION'],
    [{ v: 1, kind: 'connected' }, 'BAD_SENDER'],
    [{ v: 1, kind: 'connected', from: '' }, 'BAD_SENDER'],
    [{ v: 1, kind: 'heartbeat', from: 'a', leader: true }, 'BAD_FIELDS'],
    [{ v: 1, kind: 'invalidate', from: 'a' }, 'BAD_TAGS'],
    [{ v: 1, kind: 'invalidate', from: 'a', tags: [] }, 'BAD_TAGS'],
    [{ v: 1, kind: 'invalidate', from: 'a', tags: ['Todos'] }, 'BAD_TAGS'],
    [{ v: 1, kind: 'invalidate', from: 'a', tags: [{ type: '' }] }, 'BAD_TAGS'],
    [{ v: 1, kind: 'invalidate', from: 'a', tags: [{ type: 'Todos', id: Number.NaN }] }, 'BAD_TAGS'],
    [{ v: 1, kind: 'invalidate', from: 'a', tags: [{ type: 'Todos', id: null }] }, 'BAD_TAGS'],
    [
      { v: 1, kind: 'invalidate', from: 'a', tags: Array.from({ length: MAX_RELAY_TAGS + 1 }, () => ({ type: 'T' })) },
      'TOO_MANY_TAGS',
    ],
  ])('drops %j as %s', (data, reason) => {
    expect(parseMessage(data)).toEqual({ ok: false, reason })
  })

  it('sends only the tags that can cross tabs, in messages of at most MAX_RELAY_TAGS tags', () => {
    expect(isRelayTag({ type: 'Todos', id: 'p1' })).toBe(true)
    expect(isRelayTag({ type: 'Todos', id: { p: 1 } })).toBe(false)
    const tags = [
      { type: 'Todos', id: { p: 1 } },
      ...Array.from({ length: MAX_RELAY_TAGS + 1 }, (_, i) => ({ type: 'Todos', id: i })),
    ]
    const messages = invalidateMessages('a', tags)
    expect(messages.map((message) => message.tags.length)).toEqual([MAX_RELAY_TAGS, 1])
    expect(messages.every((message) => parseMessage(message).ok)).toBe(true)
    expect(invalidateMessages('a', [{ type: 'Todos', id: { p: 1 } }])).toEqual([])
  })
})

describe('cross-tab protocol: poll sharing fields', () => {
  const heartbeat = { v: 1, kind: 'heartbeat', from: 'a', leader: false, visible: true }

  it("accepts a heartbeat's optional polling flag and tags, and an invalidation's cause, copying only known tag fields", () => {
    expect(
      parseMessage({ ...heartbeat, polling: true, tags: [{ type: 'Todos', id: 'p1', secret: 'row data' }] }),
    ).toEqual({
      ok: true,
      message: { ...heartbeat, polling: true, tags: [{ type: 'Todos', id: 'p1' }] },
    })
    expect(parseMessage({ ...heartbeat, polling: false, tags: [] })).toEqual({
      ok: true,
      message: { ...heartbeat, polling: false, tags: [] },
    })
    expect(parseMessage({ v: 1, kind: 'invalidate', from: 'a', tags: [{ type: 'Todos' }], cause: 'poll' })).toEqual({
      ok: true,
      message: { v: 1, kind: 'invalidate', from: 'a', tags: [{ type: 'Todos' }], cause: 'poll' },
    })
  })

  it.each([
    [{ ...heartbeat, polling: 'yes' }, 'BAD_FIELDS'],
    [{ ...heartbeat, polling: null }, 'BAD_FIELDS'],
    [{ ...heartbeat, tags: 'Todos' }, 'BAD_TAGS'],
    [{ ...heartbeat, tags: [{ type: 'Todos', id: [1] }] }, 'BAD_TAGS'],
    [{ ...heartbeat, tags: Array.from({ length: MAX_RELAY_TAGS + 1 }, () => ({ type: 'T' })) }, 'TOO_MANY_TAGS'],
    [{ v: 1, kind: 'invalidate', from: 'a', tags: [{ type: 'Todos' }], cause: 'refresh' }, 'BAD_FIELDS'],
    [{ v: 1, kind: 'invalidate', from: 'a', tags: [{ type: 'Todos' }], cause: null }, 'BAD_FIELDS'],
  ])('drops %j as %s', (data, reason) => {
    expect(parseMessage(data)).toEqual({ ok: false, reason })
  })

  it('marks poll relays and leaves mutation relays as they were', () => {
    expect(invalidateMessages('a', [{ type: 'Todos' }], 'poll')).toEqual([
      { v: 1, kind: 'invalidate', from: 'a', tags: [{ type: 'Todos' }], cause: 'poll' },
    ])
    expect(invalidateMessages('a', [{ type: 'Todos' }])).toEqual([
      { v: 1, kind: 'invalidate', from: 'a', tags: [{ type: 'Todos' }] },
    ])
  })

  it("announces all of a tab's tags or none: never more than MAX_RELAY_TAGS, never one that cannot cross tabs", () => {
    expect(announcedTags([{ type: 'Todos', id: 1 }])).toEqual([{ type: 'Todos', id: 1 }])
    expect(announcedTags([])).toEqual([])
    expect(announcedTags(Array.from({ length: MAX_RELAY_TAGS + 1 }, (_, id) => ({ type: 'T', id })))).toBeUndefined()
    expect(announcedTags([{ type: 'Todos', id: 'x'.repeat(1_000) }])).toBeUndefined()
  })
})
