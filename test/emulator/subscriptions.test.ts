import { postgresChangesFilter } from '@supabase/supabase-js'
import type { RealtimePostgresChangesPayload } from '@supabase/supabase-js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStaticCatalog, type CatalogTable } from '../../src/testing/emulator/realtime/catalog'
import { FakeClock } from '../support/fakeClock'
import { waitFor } from '../support/waitFor'
import { reached, startHarness, subscribe, userToken, type Harness, type RawClient } from './emulatorSupport'

type Change = RealtimePostgresChangesPayload<Record<string, unknown>>

const todoColumns = [
  { name: 'id', type: 'int8' },
  { name: 'title', type: 'text' },
  { name: 'done', type: 'bool' },
  { name: 'value', type: 'text' },
  { name: 'note', type: 'text' },
]
const tables: CatalogTable[] = [
  { schema: 'public', name: 'todos', columns: todoColumns, primaryKey: ['id'] },
  { schema: 'public', name: 'marker', columns: [{ name: 'id', type: 'int8' }], primaryKey: ['id'] },
  { schema: 'public', name: 'logs', columns: [{ name: 'line', type: 'text' }], primaryKey: [] },
]
const rows = [
  { id: 1, title: 'Apples', done: false, value: 'a', note: null },
  { id: 2, title: 'bread', done: true, value: 'b', note: 'x' },
  { id: 3, title: 'Cheese', done: false, value: 'c', note: 'y' },
  { id: 4, title: 'dates', done: true, value: 'd', note: null },
  { id: 5, title: 'Eggs, large', done: false, value: 'e', note: 'z' },
]

describe('postgres_changes subscriptions are parsed, checked and filtered as the real server does', () => {
  let h: Harness
  beforeEach(async () => {
    h = await startHarness({ catalog: createStaticCatalog(tables) })
  })
  afterEach(async () => {
    await h.stop()
  })

  /** Joins one binding on a raw socket and returns the system message it got. */
  async function join(raw: RawClient, topic: string, entries: unknown[]): Promise<Record<string, unknown>> {
    const ref = raw.push(`realtime:${topic}`, 'phx_join', { config: { postgres_changes: entries } })
    expect((await raw.reply(ref)).status).toBe('ok')
    return (await raw.next((m) => m.event === 'system' && m.topic === `realtime:${topic}`)).payload as Record<
      string,
      unknown
    >
  }

  /** Pushes every row, then a marker row, and returns the ids delivered on `topic` before the marker. */
  async function deliveredIds(raw: RawClient, topic: string, type: 'INSERT' | 'DELETE' = 'INSERT'): Promise<number[]> {
    await join(raw, 'marker', [{ event: '*', schema: 'public', table: 'marker' }])
    for (const row of rows)
      h.changes.push(
        type === 'INSERT'
          ? { table: 'todos', type, columns: todoColumns, record: row }
          : { table: 'todos', type, columns: todoColumns, oldRecord: row },
      )
    h.changes.push({ table: 'marker', type: 'INSERT', columns: [{ name: 'id', type: 'int8' }], record: { id: 0 } })
    await raw.next((m) => m.event === 'postgres_changes' && m.topic === 'realtime:marker')
    return raw.received.flatMap((m) => {
      if (Buffer.isBuffer(m) || m.event !== 'postgres_changes' || m.topic !== `realtime:${topic}`) return []
      const data = (m.payload as { data: { record?: { id: number }; old_record?: { id: number } } }).data
      return [(data.record ?? data.old_record)!.id]
    })
  }

  it.each<[string, number[]]>([
    ['value=gte.b,value=lte.d', [2, 3, 4]],
    ['id=gt.1,id=lt.5,done=is.true', [2, 4]],
    ['title=like.%s', [1, 4]],
    ['title=ilike.a%', [1]],
    ['title=match.^[A-Z]', [1, 3, 5]],
    ['title=imatch.^[a-c]', [1, 2, 3]],
    ['note=is.null', [1, 4]],
    ['note=not.is.null', [2, 3, 5]],
    ['note=isdistinct.x', [1, 3, 4, 5]],
    ['note=not.isdistinct.x', [2]],
    ['id=not.in.(1,2,3)', [4, 5]],
    ['title=in.("Eggs, large",bread)', [2, 5]],
    ['note=neq.x', [3, 5]],
  ])('%s delivers exactly the rows that pass it', async (filter, expected) => {
    const raw = await h.raw()
    expect(await join(raw, 'todos', [{ event: 'INSERT', schema: 'public', table: 'todos', filter }])).toMatchObject({
      status: 'ok',
      message: 'Subscribed to PostgreSQL',
    })
    expect(await deliveredIds(raw, 'todos')).toEqual(expected)
  })

  it("takes supabase-js's postgresChangesFilter() builder, quoting included", async () => {
    const client = h.client()
    const seen: Change[] = []
    const filter = postgresChangesFilter().in('title', ['Eggs, large', 'Apples']).not('done', 'is', true).gte('id', 1)
    const channel = client
      .channel('todos')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos', filter }, (change) =>
        seen.push(change),
      )
    const marks: Change[] = []
    const marker = client
      .channel('marker')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'marker' }, (change) => marks.push(change))
    await Promise.all([reached(subscribe(channel)), reached(subscribe(marker))])
    await waitFor(() => h.server.joinedTopics().length === 2)
    const raw = await h.raw() // a marker socket: its system message proves both channels are subscribed by now
    await join(raw, 'probe', [{ event: '*', schema: 'public', table: 'marker' }])
    for (const row of rows) h.changes.push({ table: 'todos', type: 'INSERT', columns: todoColumns, record: row })
    h.changes.push({ table: 'marker', type: 'INSERT', columns: [{ name: 'id', type: 'int8' }], record: { id: 0 } })
    await waitFor(() => marks.length === 1)
    expect(seen.map((change) => (change.new as { id: number }).id)).toEqual([1, 5])
  })

  it('filters a DELETE on its old record: a filter on a column the old record lacks delivers nothing', async () => {
    const raw = await h.raw()
    await join(raw, 'todos', [{ event: 'DELETE', schema: 'public', table: 'todos', filter: 'done=eq.true' }])
    await join(raw, 'keys', [{ event: 'DELETE', schema: 'public', table: 'todos', filter: 'id=in.(2,3)' }])
    h.changes.push({ table: 'todos', type: 'DELETE', columns: todoColumns, oldRecord: { id: 2 } })
    h.changes.push({ table: 'todos', type: 'DELETE', columns: todoColumns, oldRecord: { id: 3 } })
    expect(await deliveredIds(raw, 'todos', 'DELETE')).toEqual([2, 4])
    expect(
      raw.received.filter((m) => !Buffer.isBuffer(m) && m.event === 'postgres_changes' && m.topic === 'realtime:keys'),
    ).toHaveLength(4)
  })

  it('delivers only the selected columns, the primary key included, and one push per select list', async () => {
    const raw = await h.raw()
    const ref = raw.push('realtime:todos', 'phx_join', {
      config: {
        postgres_changes: [
          { event: 'UPDATE', schema: 'public', table: 'todos', select: ['title'] },
          { event: 'UPDATE', schema: 'public', table: 'todos' },
        ],
      },
    })
    const ids = ((await raw.reply(ref)).response.postgres_changes as { id: number }[]).map((entry) => entry.id)
    await raw.next((m) => m.event === 'system')
    h.changes.push({
      table: 'todos',
      type: 'UPDATE',
      columns: todoColumns,
      record: rows[0]!,
      oldRecord: { id: 1, title: 'old', done: true },
    })
    await waitFor(() => raw.received.filter((m) => !Buffer.isBuffer(m) && m.event === 'postgres_changes').length === 2)
    const pushes = raw.received.flatMap((m) =>
      !Buffer.isBuffer(m) && m.event === 'postgres_changes'
        ? [m.payload as { ids: number[]; data: Record<string, unknown> }]
        : [],
    )
    const selected = pushes.find((push) => push.ids.includes(ids[0]!))!
    expect(selected.ids).toEqual([ids[0]])
    expect(selected.data).toMatchObject({
      columns: [todoColumns[0], todoColumns[1]],
      record: { id: 1, title: 'Apples' },
      old_record: { id: 1, title: 'old' },
    })
    expect(pushes.find((push) => push.ids.includes(ids[1]!))!.data.record).toEqual(rows[0])
  })

  it.each<[string, unknown, string]>([
    [
      'a string select',
      { event: '*', schema: 'public', table: 'todos', select: 'title' },
      'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]',
    ],
    [
      'a select on every table',
      { event: '*', schema: 'public', table: '*', select: ['id'] },
      'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.',
    ],
    [
      'a filter without a table',
      { event: '*', schema: 'public', filter: 'id=eq.1' },
      'No subscription params provided. Please provide at least a `schema` or `table` to subscribe to: %{"event" => "*", "filter" => "id=eq.1", "schema" => "public"}',
    ],
    [
      'a filter that is not a string',
      { event: '*', schema: 'public', table: 'todos', filter: 1 },
      'No subscription params provided. Please provide at least a `schema` or `table` to subscribe to: %{"event" => "*", "filter" => 1, "schema" => "public", "table" => "todos"}',
    ],
    [
      'an unknown table',
      { event: '*', schema: 'public', table: 'nope' },
      'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: *, schema: public, table: nope, filters: [], select: nil]',
    ],
    [
      'a table in another schema',
      { event: 'INSERT', schema: 'private', table: 'todos', filter: 'id=eq.1' },
      'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: INSERT, schema: private, table: todos, filters: [{"id", "eq", "1", false}], select: nil]',
    ],
    [
      'a filter on a missing column',
      { event: '*', schema: 'public', table: 'todos', filter: 'owner=eq.1' },
      'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: *, schema: public, table: todos, filters: [{"owner", "eq", "1", false}], select: nil]. Exception: ERROR P0001 (raise_exception) invalid column for filter owner',
    ],
    [
      'a value of the wrong type',
      { event: '*', schema: 'public', table: 'todos', filter: 'id=in.(1,x)' },
      'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: *, schema: public, table: todos, filters: [{"id", "in", "{1,x}", false}], select: nil]. Exception: ERROR 22P02 (invalid_text_representation) invalid input syntax for type bigint: "x"',
    ],
    [
      'is.true on a text column',
      { event: '*', schema: 'public', table: 'todos', filter: 'title=is.true' },
      'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: *, schema: public, table: todos, filters: [{"title", "is", "true", false}], select: nil]. Exception: ERROR P0001 (raise_exception) is true filter requires a boolean column, got text',
    ],
    [
      'like on a number',
      { event: '*', schema: 'public', table: 'todos', filter: 'id=not.like.1%' },
      'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: *, schema: public, table: todos, filters: [{"id", "like", "1%", true}], select: nil]. Exception: ERROR P0001 (raise_exception) operator like requires a text-compatible column type, got bigint',
    ],
    [
      'a selected column that does not exist',
      { event: '*', schema: 'public', table: 'todos', select: ['owner'] },
      'Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: *, schema: public, table: todos, filters: [], select: ["owner"]]. Exception: ERROR P0001 (raise_exception) invalid column for select owner',
    ],
  ])('refuses %s with the real system error, and subscribes nothing of the channel', async (_name, entry, message) => {
    const raw = await h.raw()
    const system = await join(raw, 'todos', [
      { event: '*', schema: 'public', table: 'todos' },
      entry,
      { event: '*', schema: 'public', table: 'marker' },
    ])
    expect(system).toEqual({ extension: 'postgres_changes', status: 'error', message, channel: 'todos' })
    expect(await deliveredIds(raw, 'todos')).toEqual([])
  })

  it('parses every entry before subscribing any: a later parse error wins over an earlier unknown table', async () => {
    const raw = await h.raw()
    const system = await join(raw, 'todos', [
      { event: '*', schema: 'public', table: 'nope' },
      { event: '*', schema: 'public', table: 'todos', filter: 'x=foo.1' },
      { schema: 'public', table: 'todos', filter: 'y=bar.2' },
    ])
    expect(system.message).toBe('Error parsing `filter` params: ["foo", "1"]')
  })

  it('reads an unknown event as *, and a schema alone as every table of it', async () => {
    const raw = await h.raw()
    expect(
      await join(raw, 'todos', [{ event: 'upsert', schema: 'public', table: 'todos' }, { schema: 'public' }]),
    ).toMatchObject({ status: 'ok' })
    h.changes.push({ table: 'todos', type: 'DELETE', columns: todoColumns, oldRecord: { id: 9 } })
    const frame = await raw.next((m) => m.event === 'postgres_changes' && m.topic === 'realtime:todos')
    expect((frame.payload as { ids: number[] }).ids).toHaveLength(2)
  })

  it('sends a change of a table without a primary key as the 400 error, record empty, to every binding filters aside', async () => {
    const raw = await h.raw()
    const ref = raw.push('realtime:logs', 'phx_join', {
      config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'logs', filter: 'line=eq.nothing' }] },
    })
    const [id] = ((await raw.reply(ref)).response.postgres_changes as { id: number }[]).map((entry) => entry.id)
    await raw.next((m) => m.event === 'system')
    h.changes.push({
      table: 'logs',
      type: 'INSERT',
      columns: [{ name: 'line', type: 'text' }],
      record: { line: 'hello' },
    })
    const frame = await raw.next((m) => m.event === 'postgres_changes')
    expect(frame.payload).toEqual({
      ids: [id],
      data: {
        schema: 'public',
        table: 'logs',
        type: 'INSERT',
        commit_timestamp: null,
        columns: [],
        record: {},
        errors: ['Error 400: Bad Request, no primary key'],
      },
    })
  })
})

describe('a new access_token re-subscribes postgres_changes, as the real server does', () => {
  it('says "Subscribed to PostgreSQL" again a second after the token, and keeps delivering', async () => {
    const clock = new FakeClock(Date.now())
    const h = await startHarness({ clock, catalog: createStaticCatalog(tables) })
    try {
      const raw = await h.raw()
      const ref = raw.push(
        'realtime:todos',
        'phx_join',
        {
          access_token: userToken({}, clock),
          config: { postgres_changes: [{ event: '*', schema: 'public', table: 'todos' }] },
        },
        { join_ref: '1' },
      )
      await raw.reply(ref)
      await raw.next((m) => m.event === 'system')
      raw.push(
        'realtime:todos',
        'access_token',
        { access_token: userToken({ sub: 'user-1', exp: Math.floor(clock.now() / 1000) + 7_200 }, clock) },
        { join_ref: '1' },
      )
      expect((await raw.reply(raw.push('phoenix', 'heartbeat'))).status).toBe('ok') // the token is processed by now
      await clock.advance(1_000)
      await waitFor(() => raw.received.filter((m) => !Buffer.isBuffer(m) && m.event === 'system').length === 2)
      const systems = raw.received.filter((m) => !Buffer.isBuffer(m) && m.event === 'system')
      expect(systems.map((m) => (m as { payload: { message: string } }).payload.message)).toEqual([
        'Subscribed to PostgreSQL',
        'Subscribed to PostgreSQL',
      ])
      h.changes.push({ table: 'todos', type: 'INSERT', columns: todoColumns, record: rows[0]! })
      await raw.next((m) => m.event === 'postgres_changes')
    } finally {
      await h.stop()
    }
  })
})

describe('a change committed while a join is being checked', () => {
  it('is held and delivered right after "Subscribed to PostgreSQL", so SUBSCRIBED-then-write never loses it', async () => {
    let release: (() => void) | undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    const slow = createStaticCatalog(tables)
    const h = await startHarness({
      catalog: { publishedTables: async (schema, table) => (await gate, slow.publishedTables(schema, table)) },
    })
    try {
      const raw = await h.raw()
      await raw.reply(
        raw.push('realtime:todos', 'phx_join', {
          config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'todos' }] },
        }),
      )
      h.changes.push({ table: 'todos', type: 'INSERT', columns: todoColumns, record: rows[0]! })
      release!()
      const change = await raw.next((m) => m.event === 'postgres_changes')
      const events = raw.received.flatMap((m) => (Buffer.isBuffer(m) || m.event === 'phx_reply' ? [] : [m.event]))
      expect(events).toEqual(['system', 'postgres_changes'])
      expect((change.payload as { data: { record: unknown } }).data.record).toEqual(rows[0])
    } finally {
      await h.stop()
    }
  })
})
