import { describe, expect, it } from 'vitest'
import type { SubscriptionSpec } from '../../src/subscription/spec'
import { validateSpec } from '../../src/subscription/validateSpec'

const table = { event: '*', schema: 'public', table: 'generations' } as const

describe('validateSpec', () => {
  it.each<[string, unknown, RegExp]>([
    ['a spec that is not an object', null, /subscribe\(\): spec must be an object/],
    ['an empty topic', { topic: '  ' }, /subscribe\(\): topic must be a non-empty string/],
    ["a topic with supabase-js's prefix", { topic: 'realtime:x' }, /topic must not start with 'realtime:'/],
    [
      'a reserved object key as topic',
      { topic: '__proto__' },
      /topic must not be "__proto__" \(a reserved object key\)/,
    ],
    ['postgres that is not an array', { topic: 't', postgres: table }, /postgres must be an array of bindings/],
    ['a binding that is not an object', { topic: 't', postgres: [7] }, /postgres\[0\] must be an object/],
    ['an unknown event', { topic: 't', postgres: [{ ...table, event: 'UPSERT' }] }, /postgres\[0\]\.event must be/],
    [
      'an empty schema',
      { topic: 't', postgres: [{ ...table, schema: '' }] },
      /postgres\[0\]\.schema must be a non-empty string/,
    ],
    [
      'an empty table',
      { topic: 't', postgres: [{ ...table, table: '' }] },
      /postgres\[0\]\.table must be a non-empty string when given/,
    ],
    [
      'a filter the server cannot parse',
      { topic: 't', postgres: [{ ...table, filter: 'id==1' }] },
      /postgres\[0\]\.filter is refused by the Realtime server \(Error parsing `filter` params: \["=1"\]\)/,
    ],
    [
      'a filter with an unknown operator',
      { topic: 't', postgres: [{ ...table, filter: 'id=eq.1,id=foo.2' }] },
      /postgres\[0\]\.filter .*\["foo", "2"\]/,
    ],
    [
      'a filter that is not a string',
      { topic: 't', postgres: [{ ...table, filter: 7 }] },
      /postgres\[0\]\.filter must be a string/,
    ],
    [
      'a filter without a table',
      { topic: 't', postgres: [{ event: '*', schema: 'public', filter: 'id=eq.1' }] },
      /postgres\[0\]\.filter needs a table/,
    ],
    [
      'broadcast that is not an array',
      { topic: 't', broadcast: 'PING' },
      /broadcast must be an array of non-empty event names/,
    ],
    [
      'an empty broadcast name',
      { topic: 't', broadcast: ['PING', ''] },
      /broadcast must be an array of non-empty event names/,
    ],
    ['tags that are not an array', { topic: 't', tags: 'Generations' }, /tags must be an array of tags/],
    [
      'a tag that is neither a type nor { type, id }',
      { topic: 't', tags: [{ id: 1 }] },
      /tags\[0\] must be a tag type string or \{ type, id\? \}/,
    ],
    [
      'a tag id of the wrong type',
      { topic: 't', tags: [{ type: 'Generations', id: true }] },
      /tags\[0\]\.id must be a string or a number/,
    ],
    ['private that is not a boolean', { topic: 't', private: 'yes' }, /private must be a boolean/],
    ['onMessage that is not a function', { topic: 't', onMessage: 'log' }, /onMessage must be a function/],
    [
      'broadcastOptions that is not an object',
      { topic: 't', broadcastOptions: true },
      /broadcastOptions must be an object/,
    ],
    [
      'broadcastOptions.ack that is not a boolean',
      { topic: 't', broadcastOptions: { ack: 1 } },
      /broadcastOptions\.ack must be a boolean/,
    ],
  ])('rejects %s with a TypeError naming the field', (_case, spec, message) => {
    expect(() => validateSpec(spec as SubscriptionSpec)).toThrow(TypeError)
    expect(() => validateSpec(spec as SubscriptionSpec)).toThrow(message)
  })

  it.each([
    'id=eq.1,title=like.a%',
    'status=not.in.(draft,archived)',
    'deleted_at=is.null',
    'name=imatch.^a',
    'v=isdistinct.3',
    'name=eq."a,b"',
    '',
  ])('accepts the filter %j, as the server does', (filter) => {
    expect(validateSpec({ topic: 't', postgres: [{ ...table, filter }] }).postgres?.[0]?.filter).toBe(filter)
  })

  it('returns the serializable, normalised spec of a valid one', () => {
    expect(
      validateSpec({
        topic: 'project:1',
        postgres: [{ ...table, filter: 'project_id=eq.1' }],
        tags: ['Generations'],
        onMessage: () => undefined,
      }),
    ).toEqual({
      topic: 'project:1',
      postgres: [{ ...table, filter: 'project_id=eq.1' }],
      broadcast: [],
      tags: ['Generations'],
      private: false,
      broadcastOptions: { self: false, ack: false },
    })
  })
})
