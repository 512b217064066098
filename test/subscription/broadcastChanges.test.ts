import { describe, expect, it } from 'vitest'
import { mergeChannelConfig } from '../../src/subscription/channelConfig'
import { eventMatchesSpec } from '../../src/subscription/eventMatchesSpec'
import { validateSpec } from '../../src/subscription/validateSpec'
import type { PostgresChangesEvent } from '../../src/events/events'
import type { SubscriptionSpec } from '../../src/subscription/spec'

const spec = (changes: unknown, extra: Partial<SubscriptionSpec> = {}): SubscriptionSpec =>
  ({ topic: 'project:1', private: true, changes, ...extra }) as SubscriptionSpec

const change = (table: string, schema = 'public'): PostgresChangesEvent => ({
  kind: 'postgres_changes',
  topic: 'project:1',
  receivedAt: 0,
  schema,
  table,
  eventType: 'INSERT',
  commitTimestamp: null,
  new: { id: 1 },
  old: null,
  via: 'broadcast',
})

describe('a spec whose table changes come by Broadcast from Database', () => {
  it('is normalised: tables qualified with their schema, the TG_OP event names by default, replay on', () => {
    expect(validateSpec(spec({ via: 'broadcast', tables: ['todos', 'app.notes', 'todos'] })).changes).toEqual({
      via: 'broadcast',
      tables: ['public.todos', 'app.notes'],
      events: ['INSERT', 'UPDATE', 'DELETE'],
      replay: true,
    })
  })

  it.each([
    ['an array', [], 'subscribe(): changes must be an object'],
    ['another source', { via: 'postgres', tables: ['t'] }, "subscribe(): changes.via must be 'broadcast'"],
    ['no tables', { via: 'broadcast', tables: [] }, 'subscribe(): changes.tables must be a non-empty array'],
    ['a blank table', { via: 'broadcast', tables: [' '] }, 'subscribe(): changes.tables[0] must be a table name'],
    [
      'a dangling schema',
      { via: 'broadcast', tables: ['app.'] },
      'subscribe(): changes.tables[0] must be a table name',
    ],
    ['a table with two dots', { via: 'broadcast', tables: ['a.b.c'] }, 'with one dot at most (got "a.b.c")'],
    ['a table with a leading space', { via: 'broadcast', tables: [' todos'] }, 'must not begin or end a name with'],
    ['a table with a line break', { via: 'broadcast', tables: ['to\ndos'] }, 'must not contain control characters'],
    ['empty events', { via: 'broadcast', tables: ['t'], events: [] }, 'subscribe(): changes.events must be'],
    ['a non-boolean replay', { via: 'broadcast', tables: ['t'], replay: 'yes' }, 'subscribe(): changes.replay must'],
  ])('refuses %s with a TypeError naming the field', (_name, changes, message) => {
    expect(() => validateSpec(spec(changes))).toThrow(TypeError)
    expect(() => validateSpec(spec(changes))).toThrow(message)
  })

  it('refuses a public topic, saying that broadcast_changes sends to private channels', () => {
    expect(() => validateSpec(spec({ via: 'broadcast', tables: ['t'] }, { private: false }))).toThrow(
      'subscribe(): changes needs private: true',
    )
  })

  it("puts the union of the subscribers' change event names into the channel's configuration", () => {
    const a = validateSpec(spec({ via: 'broadcast', tables: ['todos'] }))
    const b = validateSpec(spec({ via: 'broadcast', tables: ['notes'], events: ['row_changed'] }))
    expect(mergeChannelConfig([a, b]).databaseChanges).toEqual(['DELETE', 'INSERT', 'UPDATE', 'row_changed'])
    expect(mergeChannelConfig([validateSpec({ topic: 't', broadcast: ['x'] })])).not.toHaveProperty('databaseChanges')
  })

  it("hands a subscriber's onMessage only the changes of its own tables", () => {
    const validated = validateSpec(spec({ via: 'broadcast', tables: ['todos'] }))
    expect(eventMatchesSpec(change('todos'), validated)).toBe(true)
    expect(eventMatchesSpec(change('notes'), validated)).toBe(false)
    expect(eventMatchesSpec(change('todos', 'app'), validated)).toBe(false)
    expect(eventMatchesSpec(change('todos'), validateSpec({ topic: 't', postgres: [] }))).toBe(false)
  })
})
