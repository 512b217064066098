import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalizeBroadcast, normalizePostgresChange } from '../../src/transport/normalize'

/** A postgres_changes callback payload as supabase-js 2.109 builds it (`{}` for "no row"). */
const change = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  schema: 'public',
  table: 'todos',
  commit_timestamp: '2024-01-01T00:00:00Z',
  eventType: 'INSERT',
  new: { id: 1, title: 'milk' },
  old: {},
  errors: null,
  ...overrides,
})

describe('normalizePostgresChange', () => {
  it('turns an INSERT into an event with the topic, the receive time, the new row and no old row', () => {
    expect(normalizePostgresChange(change(), 'todos', 42)).toEqual({
      ok: true,
      event: {
        kind: 'postgres_changes',
        topic: 'todos',
        receivedAt: 42,
        schema: 'public',
        table: 'todos',
        eventType: 'INSERT',
        commitTimestamp: '2024-01-01T00:00:00Z',
        new: { id: 1, title: 'milk' },
        old: null,
      },
    })
  })

  it('keeps both rows of an UPDATE and only the old row of a DELETE', () => {
    const update = normalizePostgresChange(
      change({ eventType: 'UPDATE', new: { id: 1, done: true }, old: { id: 1 } }),
      't',
      0,
    )
    expect(update).toMatchObject({
      ok: true,
      event: { eventType: 'UPDATE', new: { id: 1, done: true }, old: { id: 1 } },
    })
    const del = normalizePostgresChange(change({ eventType: 'DELETE', new: {}, old: { id: 1 } }), 't', 0)
    expect(del).toMatchObject({ ok: true, event: { eventType: 'DELETE', new: null, old: { id: 1 } } })
  })

  it.each([
    ['an empty object', {}],
    ['null', null],
    ['undefined', undefined],
  ])('reads %s as "no row"', (_name, row) => {
    const result = normalizePostgresChange(change({ new: row, old: row }), 't', 0)
    expect(result).toMatchObject({ ok: true, event: { new: null, old: null } })
  })

  it('reads a missing or non-string commit_timestamp as null', () => {
    expect(normalizePostgresChange(change({ commit_timestamp: undefined }), 't', 0)).toMatchObject({
      ok: true,
      event: { commitTimestamp: null },
    })
    expect(normalizePostgresChange(change({ commit_timestamp: 1700000000 }), 't', 0)).toMatchObject({
      ok: true,
      event: { commitTimestamp: null },
    })
  })

  it('keeps errors, ignores fields it does not know (columns) and never mutates its input', () => {
    const raw = change({ errors: ['x'], columns: [{ name: 'id', type: 'int8' }] })
    const before = structuredClone(raw)
    const result = normalizePostgresChange(raw, 't', 0)
    expect(result.ok && Object.keys(result.event).sort()).toEqual([
      'commitTimestamp',
      'errors',
      'eventType',
      'kind',
      'new',
      'old',
      'receivedAt',
      'schema',
      'table',
      'topic',
    ])
    expect(raw).toEqual(before)
  })

  it.each([
    ['null', null, 'postgres_changes payload is not an object'],
    ['a string', 'INSERT', 'postgres_changes payload is not an object'],
    ['an array', [change()], 'postgres_changes payload is not an object'],
    ['a payload without schema', change({ schema: undefined }), 'postgres_changes payload has no schema'],
    ['a payload with an empty schema', change({ schema: '' }), 'postgres_changes payload has no schema'],
    ['a payload with a numeric table', change({ table: 7 }), 'postgres_changes payload has no table'],
    ['a payload without table', change({ table: undefined }), 'postgres_changes payload has no table'],
    ['a TRUNCATE', change({ eventType: 'TRUNCATE' }), 'postgres_changes payload has an unknown eventType'],
    ['a lower-case eventType', change({ eventType: 'insert' }), 'postgres_changes payload has an unknown eventType'],
    ['a wildcard eventType', change({ eventType: '*' }), 'postgres_changes payload has an unknown eventType'],
    ['a missing eventType', change({ eventType: undefined }), 'postgres_changes payload has an unknown eventType'],
    ['a string new row', change({ new: 'row' }), 'postgres_changes payload has a non-object new row'],
    ['an array new row', change({ new: [1] }), 'postgres_changes payload has a non-object new row'],
    ['a numeric old row', change({ old: 3 }), 'postgres_changes payload has a non-object old row'],
  ])('refuses %s with a reason naming the field', (_name, raw, reason) => {
    expect(normalizePostgresChange(raw, 't', 0)).toEqual({ ok: false, reason })
  })

  it('never puts row data into a reason', () => {
    const secret = 'card-4242-4242'
    const results = [
      normalizePostgresChange(change({ eventType: secret, new: { secret } }), 't', 0),
      normalizePostgresChange(change({ new: secret }), 't', 0),
      normalizePostgresChange(change({ table: '', old: { secret } }), 't', 0),
    ]
    for (const result of results) {
      expect(result.ok).toBe(false)
      expect(JSON.stringify(result)).not.toContain(secret)
    }
  })

  it('never throws, and an accepted event always has the declared shape (any input)', () => {
    const rows = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constant({}),
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.anything(),
    )
    const raw = fc.oneof(
      fc.anything(),
      fc.record(
        {
          schema: fc.oneof(fc.constant('public'), fc.anything()),
          table: fc.oneof(fc.constant('todos'), fc.anything()),
          eventType: fc.oneof(fc.constantFrom('INSERT', 'UPDATE', 'DELETE'), fc.anything()),
          commit_timestamp: fc.anything(),
          new: rows,
          old: rows,
        },
        { requiredKeys: [] },
      ),
    )
    fc.assert(
      fc.property(raw, (input) => {
        const result = normalizePostgresChange(input, 'topic', 5)
        if (!result.ok) return typeof result.reason === 'string' && result.reason.startsWith('postgres_changes payload')
        const { event } = result
        const isRow = (row: unknown) =>
          row === null || (typeof row === 'object' && !Array.isArray(row) && Object.keys(row as object).length > 0)
        return (
          event.kind === 'postgres_changes' &&
          event.topic === 'topic' &&
          event.receivedAt === 5 &&
          typeof event.schema === 'string' &&
          event.schema !== '' &&
          typeof event.table === 'string' &&
          event.table !== '' &&
          ['INSERT', 'UPDATE', 'DELETE'].includes(event.eventType) &&
          (event.commitTimestamp === null || typeof event.commitTimestamp === 'string') &&
          isRow(event.new) &&
          isRow(event.old)
        )
      }),
      { numRuns: 500 },
    )
  })
})

describe('normalizeBroadcast', () => {
  it('keeps the event name and the payload as sent', () => {
    expect(
      normalizeBroadcast(
        { type: 'broadcast', event: 'GENERATIONS_UPDATED', payload: { projectId: 1 } },
        'project:1',
        9,
      ),
    ).toEqual({
      ok: true,
      event: {
        kind: 'broadcast',
        topic: 'project:1',
        receivedAt: 9,
        event: 'GENERATIONS_UPDATED',
        payload: { projectId: 1 },
      },
    })
  })

  it.each([
    ['no payload', undefined],
    ['a string payload', 'hello'],
    ['an array payload', [1, 2]],
    ['a binary payload', new ArrayBuffer(4)],
  ])('accepts %s unchanged', (_name, payload) => {
    const result = normalizeBroadcast({ type: 'broadcast', event: 'e', payload }, 't', 0)
    expect(result.ok).toBe(true)
    expect(result.ok && result.event.payload).toBe(payload)
  })

  it.each([
    ['null', null, 'broadcast payload is not an object'],
    ['an array', [{ event: 'e' }], 'broadcast payload is not an object'],
    ['a message without event', { type: 'broadcast', payload: {} }, 'broadcast payload has no event name'],
    ['an empty event name', { type: 'broadcast', event: '', payload: {} }, 'broadcast payload has no event name'],
    ['a numeric event name', { type: 'broadcast', event: 1, payload: {} }, 'broadcast payload has no event name'],
  ])('refuses %s', (_name, raw, reason) => {
    expect(normalizeBroadcast(raw, 't', 0)).toEqual({ ok: false, reason })
  })

  it('never throws (any input)', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const result = normalizeBroadcast(input, 't', 0)
        return result.ok
          ? typeof result.event.event === 'string' && result.event.event !== ''
          : typeof result.reason === 'string'
      }),
      { numRuns: 300 },
    )
  })
})
