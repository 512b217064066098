import type { RealtimePostgresChangesPayload } from '@supabase/supabase-js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { waitFor } from '../support/waitFor'
import { reached, startHarness, subscribe, type Harness } from './emulatorSupport'

type Change = RealtimePostgresChangesPayload<Record<string, unknown>>

const columns = [
  { name: 'id', type: 'int8' },
  { name: 'title', type: 'text' },
  { name: 'done', type: 'bool' },
]

describe('postgres_changes: the emulator speaks Supabase Realtime to the real supabase-js client', () => {
  let h: Harness

  beforeEach(async () => {
    h = await startHarness()
  })
  afterEach(async () => {
    await h.stop()
  })

  it('answers a join with every postgres_changes filter echoed with a server id, in order, then says Subscribed to PostgreSQL', async () => {
    const raw = await h.raw()
    const filters = [
      { event: 'INSERT', schema: 'public', table: 'todos' },
      { event: '*', schema: 'public', table: 'todos', filter: 'id=eq.1' },
      { event: 'DELETE', schema: 'public' },
    ]
    const ref = raw.push('realtime:todos', 'phx_join', { config: { postgres_changes: filters } }, { join_ref: '1' })
    const answer = await raw.reply(ref)
    expect(answer.status).toBe('ok')
    const echoed = answer.response.postgres_changes as Record<string, unknown>[]
    expect(echoed.map(({ id: _id, ...rest }) => rest)).toEqual(filters)
    expect(echoed.every((entry) => typeof entry.id === 'number')).toBe(true)
    expect(new Set(echoed.map((entry) => entry.id)).size).toBe(3)
    const system = await raw.next((m) => m.event === 'system')
    expect(system).toMatchObject({
      join_ref: '1',
      topic: 'realtime:todos',
      payload: { extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: 'todos' },
    })
  })

  it('delivers a row change to the supabase-js callback with columns, record, old_record and commit_timestamp', async () => {
    const client = h.client()
    const seen: Change[] = []
    const system: unknown[] = []
    const channel = client
      .channel('todos')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'todos' }, (change) => seen.push(change))
      .on('system', {}, (payload) => system.push(payload))
    await reached(subscribe(channel))
    await waitFor(() => system.length === 1)

    h.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id: 1, title: 'milk', done: false } })
    h.changes.push({
      table: 'todos',
      type: 'UPDATE',
      columns,
      record: { id: 1, title: 'milk', done: true },
      oldRecord: { id: 1 },
    })
    h.changes.push({ table: 'todos', type: 'DELETE', columns, oldRecord: { id: 1 } })
    h.changes.push({ table: 'other', type: 'INSERT', columns, record: { id: 9 } })
    await waitFor(() => seen.length === 3)
    expect(seen.map((change) => change.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE'])
    expect(seen[0]).toMatchObject({
      schema: 'public',
      table: 'todos',
      commit_timestamp: '2024-05-01T12:00:00.000Z',
      new: { id: 1, title: 'milk', done: false },
      old: {},
    })
    expect(seen[1]).toMatchObject({ new: { done: true }, old: { id: 1 } })
    expect(seen[2]).toMatchObject({ new: {}, old: { id: 1 } })
    expect(system).toEqual([
      { extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: 'todos' },
    ])
  })

  it('sends one frame per channel carrying the ids of every binding that matched', async () => {
    const raw = await h.raw()
    const ref = raw.push('realtime:todos', 'phx_join', {
      config: {
        postgres_changes: [
          { event: 'INSERT', schema: 'public', table: 'todos' },
          { event: '*', schema: 'public', table: 'todos' },
          { event: 'UPDATE', schema: 'public', table: 'todos' },
        ],
      },
    })
    const ids = ((await raw.reply(ref)).response.postgres_changes as { id: number }[]).map((entry) => entry.id)
    h.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id: 1 } })
    const frame = await raw.next((m) => m.event === 'postgres_changes')
    expect(frame).toMatchObject({ join_ref: null, ref: null, topic: 'realtime:todos' })
    expect((frame.payload as { ids: number[] }).ids).toEqual([ids[0], ids[1]])
    expect((frame.payload as { data: Record<string, unknown> }).data).toEqual({
      schema: 'public',
      table: 'todos',
      commit_timestamp: '2024-05-01T12:00:00.000Z',
      type: 'INSERT',
      columns,
      record: { id: 1 },
      errors: null,
    })
  })

  describe('row filters are applied on the server', () => {
    const cases: [string, number[]][] = [
      ['id=eq.2', [2]],
      ['id=neq.2', [1, 3, 10, 20]],
      ['id=lt.3', [1, 2]],
      ['id=lte.3', [1, 2, 3]],
      ['id=gt.2', [3, 10, 20]],
      ['id=gte.3', [3, 10, 20]],
      ['id=in.(1,10)', [1, 10]],
      ['title=eq.b', [2]],
    ]
    it.each(cases)(
      '%s lets through exactly the matching rows (numeric columns compare as numbers)',
      async (filter, expected) => {
        const raw = await h.raw()
        const ref = raw.push('realtime:todos', 'phx_join', {
          config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'todos', filter }] },
        })
        expect((await raw.reply(ref)).status).toBe('ok')
        const marker = raw.push('realtime:marker', 'phx_join', {
          config: { postgres_changes: [{ event: '*', schema: 'public', table: 'marker' }] },
        })
        expect((await raw.reply(marker)).status).toBe('ok')
        // id 20 arrives as text (an int8 column): still compared as a number, so 20 > 3.
        const rows = [
          { id: 1, title: 'a' },
          { id: 2, title: 'b' },
          { id: 3, title: 'c' },
          { id: 10, title: 'd' },
          { id: '20', title: 'e' },
        ]
        for (const record of rows) h.changes.push({ table: 'todos', type: 'INSERT', columns, record })
        h.changes.push({ table: 'marker', type: 'INSERT', columns, record: { id: 0 } })
        await raw.next((m) => m.event === 'postgres_changes' && m.topic === 'realtime:marker') // frames arrive in order
        const delivered = raw.received.flatMap((m) =>
          !Buffer.isBuffer(m) && m.event === 'postgres_changes' && m.topic === 'realtime:todos'
            ? [Number((m.payload as { data: { record: { id: unknown } } }).data.record.id)]
            : [],
        )
        expect(delivered).toEqual(expected)
      },
    )

    it('filters a DELETE on its old record, and a DELETE whose old record lacks the filtered column is not delivered', async () => {
      const client = h.client()
      const seen: Change[] = []
      const channel = client
        .channel('todos')
        .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'todos', filter: 'title=eq.a' }, (change) =>
          seen.push(change),
        )
      const marks: Change[] = []
      const marker = client
        .channel('marker')
        .on('postgres_changes', { event: '*', schema: 'public', table: 'marker' }, (change) => marks.push(change))
      await Promise.all([reached(subscribe(channel)), reached(subscribe(marker))])
      h.changes.push({ table: 'todos', type: 'DELETE', columns, oldRecord: { id: 1 } })
      h.changes.push({ table: 'todos', type: 'DELETE', columns, oldRecord: { id: 2, title: 'b' } })
      h.changes.push({ table: 'todos', type: 'DELETE', columns, oldRecord: { id: 3, title: 'a' } })
      h.changes.push({ table: 'marker', type: 'INSERT', columns, record: { id: 0 } })
      await waitFor(() => marks.length === 1 && seen.length >= 1)
      expect(seen.map((change) => change.old)).toEqual([{ id: 3, title: 'a' }])
    })

    it('answers an unparseable filter with the real postgres_changes system error, and nothing of the channel matches', async () => {
      const raw = await h.raw()
      const ref = raw.push('realtime:todos', 'phx_join', {
        config: {
          postgres_changes: [
            { event: 'INSERT', schema: 'public', table: 'todos' },
            { event: 'INSERT', schema: 'public', table: 'todos', filter: 'id=foo.1' },
          ],
        },
      })
      expect((await raw.reply(ref)).status).toBe('ok')
      const system = await raw.next((m) => m.event === 'system')
      expect(system.payload).toMatchObject({
        extension: 'postgres_changes',
        status: 'error',
        message: 'Error parsing `filter` params: ["foo", "1"]',
      })
      const marker = raw.push('realtime:marker', 'phx_join', {
        config: { postgres_changes: [{ event: '*', schema: 'public', table: 'marker' }] },
      })
      await raw.reply(marker)
      await raw.next((m) => m.event === 'system' && m.topic === 'realtime:marker')
      h.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id: 1 } })
      h.changes.push({ table: 'marker', type: 'INSERT', columns, record: { id: 0 } })
      await raw.next((m) => m.event === 'postgres_changes' && m.topic === 'realtime:marker')
      expect(
        raw.received.some((m) => !Buffer.isBuffer(m) && m.event === 'postgres_changes' && m.topic === 'realtime:todos'),
      ).toBe(false)
    })
  })

  it('keeps delivering to vsn 1.0.0 clients as JSON objects', async () => {
    const client = h.client({ vsn: '1.0.0' })
    const seen: Change[] = []
    const channel = client
      .channel('todos')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos', filter: 'id=eq.5' }, (change) =>
        seen.push(change),
      )
    await reached(subscribe(channel))
    h.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id: 4 } })
    h.changes.push({ table: 'todos', type: 'INSERT', columns, record: { id: 5 } })
    await waitFor(() => seen.length === 1)
    expect(seen[0]!.new).toEqual({ id: 5 })
  })
})
