import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalizeBroadcast } from '../../src/transport/normalize'
import { normalizeDatabaseBroadcast } from '../../src/transport/normalizeDatabaseBroadcast'

/** A broadcast callback payload carrying what realtime.broadcast_changes builds. */
const message = (payload: Record<string, unknown>, meta: Record<string, unknown> = { id: 'm-1' }) => ({
  type: 'broadcast',
  event: String(payload.operation),
  payload: { schema: 'public', table: 'todos', ...payload },
  meta,
})

describe('normalizeDatabaseBroadcast', () => {
  it('turns an INSERT into the postgres change a binding would deliver, marked via broadcast with its message id', () => {
    const raw = message({ operation: 'INSERT', record: { id: 1, title: 'milk' }, old_record: null })
    expect(normalizeDatabaseBroadcast(raw, 'project:1', 42)).toEqual({
      ok: true,
      event: {
        kind: 'postgres_changes',
        topic: 'project:1',
        receivedAt: 42,
        schema: 'public',
        table: 'todos',
        eventType: 'INSERT',
        commitTimestamp: null,
        new: { id: 1, title: 'milk' },
        old: null,
        via: 'broadcast',
        messageId: 'm-1',
      },
    })
  })

  it('keeps both rows of an UPDATE, only the old row of a DELETE, and marks a replayed message', () => {
    const update = normalizeDatabaseBroadcast(
      message({ operation: 'UPDATE', record: { id: 1, title: 'b' }, old_record: { id: 1, title: 'a' } }),
      't',
      0,
    )
    expect(update).toMatchObject({ ok: true, event: { new: { title: 'b' }, old: { title: 'a' } } })
    const removed = normalizeDatabaseBroadcast(
      message({ operation: 'DELETE', record: null, old_record: { id: 1 } }, { id: 'm-2', replayed: true }),
      't',
      0,
    )
    expect(removed).toMatchObject({
      ok: true,
      event: { eventType: 'DELETE', new: null, old: { id: 1 }, messageId: 'm-2', replayed: true },
    })
  })

  it.each([
    [null, 'broadcast_changes message has no payload object'],
    [{ event: 'INSERT', payload: 'row' }, 'broadcast_changes message has no payload object'],
    [{ payload: { table: 'todos', operation: 'INSERT', record: {} } }, 'broadcast_changes payload has no schema'],
    [{ payload: { schema: 'public', operation: 'INSERT', record: {} } }, 'broadcast_changes payload has no table'],
    [
      { payload: { schema: 'public', table: 't', operation: 'TRUNCATE', record: {} } },
      'broadcast_changes payload has an unknown operation',
    ],
    [
      { payload: { schema: 'public', table: 't', operation: 'INSERT', record: [1] } },
      'broadcast_changes payload has a non-object record',
    ],
    [
      { payload: { schema: 'public', table: 't', operation: 'UPDATE', record: {}, old_record: 'x' } },
      'broadcast_changes payload has a non-object old_record',
    ],
    [
      { payload: { schema: 'public', table: 't', operation: 'INSERT', record: null } },
      'broadcast_changes INSERT payload has no record',
    ],
    [
      { payload: { schema: 'public', table: 't', operation: 'DELETE', record: null, old_record: null } },
      'broadcast_changes DELETE payload has no old_record',
    ],
  ])('refuses %j, naming the field and not its content', (raw, reason) => {
    expect(normalizeDatabaseBroadcast(raw, 't', 0)).toEqual({ ok: false, reason })
  })

  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const result = normalizeDatabaseBroadcast(raw, 't', 0)
        expect(typeof result.ok).toBe('boolean')
      }),
    )
  })
})

describe('normalizeBroadcast with meta', () => {
  it('carries the message id and the replayed mark of a stored broadcast, and nothing for a client one', () => {
    const stored = normalizeBroadcast({ event: 'e', payload: {}, meta: { id: 'x', replayed: true } }, 't', 0)
    expect(stored).toMatchObject({ ok: true, event: { messageId: 'x', replayed: true } })
    const live = normalizeBroadcast({ event: 'e', payload: {}, meta: 'odd' }, 't', 0)
    expect(live.ok && 'messageId' in live.event).toBe(false)
  })
})
