import { describe, expect, it } from 'vitest'
import { broadcastChangesSql } from '../../src/sql/broadcastChangesSql'
import { runBroadcastChangesSqlCli } from '../../src/sql/broadcastChangesCli'
import { validateChanges } from '../../src/subscription/validateChanges'

/** The function body as Postgres reads it: from `as $tag$` to the next `$tag$`, and what follows. */
function dollarQuoted(text: string): { body: string; after: string } {
  const open = /\bas (\$[A-Za-z0-9_]*\$)/.exec(text)
  const tag = open?.[1]
  if (!open || !tag) throw new Error('no dollar-quoted function body')
  const start = open.index + open[0].length
  const end = text.indexOf(tag, start)
  return { body: text.slice(start, end), after: text.slice(end + tag.length) }
}

describe('broadcastChangesSql', () => {
  it('writes the trigger function, the row trigger and the read policy for a topic taken from a column', () => {
    const text = broadcastChangesSql({ table: 'generations', topic: { prefix: 'project:', column: 'project_id' } })
    expect(text).toContain('create or replace function "public"."generations_broadcast_changes"()')
    expect(text).toContain(`new_topic text := 'project:' || new."project_id"::text;`)
    expect(text).toContain('perform realtime.broadcast_changes(\n      new_topic,')
    expect(text).toContain('after insert or update or delete on "public"."generations"')
    expect(text).toContain('for each row execute function "public"."generations_broadcast_changes"();')
    expect(text).toContain('create policy "public.generations broadcast changes: read" on realtime.messages')
    expect(text).toContain('for select to "authenticated"\n  using (starts_with(realtime.topic(), \'project:\')')
  })

  it("sends a change to the old row's topic too when the row moved to another one", () => {
    const { body } = dollarQuoted(
      broadcastChangesSql({ table: 'generations', topic: { prefix: 'project:', column: 'project_id' } }),
    )
    expect(body).toContain(`old_topic text := 'project:' || old."project_id"::text;`)
    expect(body).toContain(
      '  if old_topic is not null and old_topic is distinct from new_topic then\n    perform realtime.broadcast_changes(\n      old_topic,',
    )
  })

  it('quotes identifiers and literals, so odd names cannot break out of the statement', () => {
    const text = broadcastChangesSql({ table: 'app.we"ird', topic: "o'k", policy: { role: 'members', using: 'true' } })
    expect(text).toContain('"app"."we""ird"')
    expect(text).toContain(`realtime.topic() = 'o''k'`)
    expect(text).toContain('to "members"')
    expect(text).toContain('and (true)')
  })

  it.each([
    ['a topic', { table: 't', topic: 'x$$;drop table secrets;--' }],
    ['a topic prefix', { table: 't', topic: { prefix: 'x$$;drop table secrets;--', column: 'c' } }],
    ['a topic column', { table: 't', topic: { prefix: 'p:', column: 'x$$;drop table secrets;--' } }],
    ['a topic holding the first tag', { table: 't', topic: 'x$rtk$;drop table secrets;--' }],
  ])('keeps %s with dollar signs inside the function body, so it cannot end the body and run', (_, options) => {
    const { body, after } = dollarQuoted(broadcastChangesSql(options))
    expect(body).toContain('drop table secrets;--')
    expect(body.trimEnd().endsWith('end')).toBe(true)
    expect(after.startsWith(';\n\ndrop trigger if exists "t_broadcast_changes"')).toBe(true)
  })

  const policyOf = (table: string) => /create policy "([^"]*)"/.exec(broadcastChangesSql({ table, topic: 't' }))?.[1]

  it('names the policy after the schema and the table, so the same table name in two schemas keeps both', () => {
    expect(policyOf('a.todos')).toBe('a.todos broadcast changes: read')
    expect(policyOf('b.todos')).toBe('b.todos broadcast changes: read')
    expect(policyOf('todos')).toBe('public.todos broadcast changes: read')
  })

  it('keeps a long policy name within 63 bytes and tells long names apart by a hash of the whole', () => {
    const schema = 'ü'.repeat(31)
    const names = [`${schema}.${'x'.repeat(45)}`, `${schema}.${'x'.repeat(44)}y`, `${schema}.é`].map(policyOf)
    for (const name of names) {
      expect(new TextEncoder().encode(name).length).toBeLessThanOrEqual(63)
      expect(name).toMatch(/^ü+ [0-9a-f]{8} broadcast changes: read$/)
    }
    expect(new Set(names).size).toBe(3)
  })

  it('reads a table name exactly as changes.tables does, accepting and refusing the same names', () => {
    const names = ['todos', 'app.notes', 'a.b.c', ' todos', 'todos ', 'a.', '.t', 'a\nb', 'é'.repeat(64), 'ok_é']
    for (const table of names) {
      const sql = (() => {
        try {
          return /after insert or update or delete on "([^"]*)"\."([^"]*)"/.exec(
            broadcastChangesSql({ table, topic: 't' }),
          )
        } catch {
          return null
        }
      })()
      const changes = (() => {
        try {
          return validateChanges({ via: 'broadcast', tables: [table] }, true).tables[0]
        } catch {
          return null
        }
      })()
      expect(sql && `${sql[1]}.${sql[2]}`, table).toBe(changes)
    }
  })

  it('writes no table name into the header comment, only into quoted identifiers', () => {
    const firstLine = broadcastChangesSql({ table: 'app.secret_table', topic: 't' }).split('\n')[0]
    expect(firstLine).toMatch(/^-- /)
    expect(firstLine).not.toContain('secret_table')
  })

  it('writes no policy when told the project has its own', () => {
    expect(broadcastChangesSql({ table: 'todos', topic: 'todos', policy: false })).not.toContain('policy')
  })

  it.each([
    [{ table: '', topic: 't' }, "broadcastChangesSql(): table must be a table name like 'todos'"],
    [{ table: 'a.', topic: 't' }, "broadcastChangesSql(): table must be a table name like 'todos'"],
    [{ table: 'a.b.c', topic: 't' }, 'broadcastChangesSql(): table must be a table name like'],
    [{ table: ' todos', topic: 't' }, 'broadcastChangesSql(): table must not begin or end a name with white space'],
    [{ table: 'x'.repeat(46), topic: 't' }, 'broadcastChangesSql(): table must be at most 45 bytes'],
    [{ table: 'é'.repeat(23), topic: 't' }, 'broadcastChangesSql(): table must be at most 45 bytes'],
    [
      { table: `${'é'.repeat(32)}.t`, topic: 't' },
      'broadcastChangesSql(): table must name a schema and a table of at most 63 bytes',
    ],
    [
      { table: 't', topic: { prefix: 'p:', column: 'é'.repeat(32) } },
      'broadcastChangesSql(): topic.column must be a non-empty name of at most 63 bytes',
    ],
    [{ table: 't', topic: ' ' }, 'broadcastChangesSql(): topic must be a non-empty topic'],
    [{ table: 't', topic: { prefix: '', column: 'c' } }, 'broadcastChangesSql(): topic.prefix must be'],
    [{ table: 't', topic: { prefix: 'p:', column: '' } }, 'broadcastChangesSql(): topic.column must be'],
    [{ table: 't', topic: 't', policy: { using: ' ' } }, 'broadcastChangesSql(): policy.using must be'],
    [{ table: 't', topic: 't', policy: { role: 'a\0b' } }, 'broadcastChangesSql(): policy.role must not contain'],
    [{ table: 'x\ndrop table secrets; --', topic: 't' }, 'broadcastChangesSql(): table must not contain control'],
    [{ table: 'a\r.t', topic: 't' }, 'broadcastChangesSql(): table must not contain control'],
    [{ table: 't', topic: 'a\nb' }, 'broadcastChangesSql(): topic must not contain control'],
    [{ table: 't', topic: { prefix: 'p\t', column: 'c' } }, 'broadcastChangesSql(): topic.prefix must not contain'],
    [
      { table: 't', topic: { prefix: 'p:', column: 'c\u0085' } },
      'broadcastChangesSql(): topic.column must not contain',
    ],
  ])('refuses %j with a TypeError naming the field', (options, message) => {
    expect(() => broadcastChangesSql(options as never)).toThrow(TypeError)
    expect(() => broadcastChangesSql(options as never)).toThrow(message)
  })
})

describe('the broadcast-changes-sql command', () => {
  const run = (argv: string[]) => {
    const io = { outs: [] as string[], errs: [] as string[] }
    const code = runBroadcastChangesSqlCli(argv, { out: (t) => io.outs.push(t), err: (t) => io.errs.push(t) })
    return { code, ...io }
  }

  it('prints the same SQL as the function', () => {
    const result = run(['--table', 'todos', '--topic-prefix', 'list:', '--topic-column', 'list_id', '--using', 'true'])
    expect(result.code).toBe(0)
    expect(result.outs).toEqual([
      broadcastChangesSql({ table: 'todos', topic: { prefix: 'list:', column: 'list_id' }, policy: { using: 'true' } }),
    ])
  })

  it.each([
    [[], '--table is required'],
    [['--table', 't'], 'give either --topic, or --topic-prefix with --topic-column'],
    [['--table', 't', '--topic-prefix', 'p:'], '--topic-prefix and --topic-column go together'],
    [['--table', 't', '--topic', 'a', '--topic-prefix', 'p:'], 'give either --topic'],
    [['--table', '', '--topic', 'a'], 'table must be a table name'],
    [['--tabel', 't'], "Unknown option '--tabel'"],
  ])('exits 2 for %j, saying why and how it is used', (argv, reason) => {
    const result = run(argv)
    expect(result.code).toBe(2)
    expect(result.errs[0]).toContain(reason)
    expect(result.errs[0]).toContain('Usage: rtk-supabase-realtime-emulator broadcast-changes-sql')
  })
})
