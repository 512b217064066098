import { describe, expect, it } from 'vitest'
import { arrayLiteralItems, parseFilter } from '../../src/subscription/filterGrammar'

describe('parseFilter reads filters as the Realtime server does', () => {
  it('splits on top-level commas only, and ANDs the conditions', () => {
    expect(parseFilter('value=gte.b,value=lte.d')).toEqual({
      ok: true,
      conditions: [
        { column: 'value', op: 'gte', value: 'b', negate: false },
        { column: 'value', op: 'lte', value: 'd', negate: false },
      ],
    })
    expect(parseFilter('id=in.(1,2),name=eq."a,b"')).toEqual({
      ok: true,
      conditions: [
        { column: 'id', op: 'in', value: '{1,2}', negate: false },
        { column: 'name', op: 'eq', value: 'a,b', negate: false },
      ],
    })
  })

  it('reads the not. prefix and every operator of the server', () => {
    const ops = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct']
    for (const op of ops)
      expect(parseFilter(`c=not.${op}.x`)).toEqual({
        ok: true,
        conditions: [{ column: 'c', op, value: 'x', negate: true }],
      })
  })

  it('treats an empty or blank filter as no filter', () => {
    expect(parseFilter('')).toEqual({ ok: true, conditions: [] })
    expect(parseFilter('   ')).toEqual({ ok: true, conditions: [] })
  })

  it.each([
    ['subject=foo.hey', 'Error parsing `filter` params: ["foo", "hey"]'],
    ['undefined', 'Error parsing `filter` params: ["undefined"]'],
    ['id=eq', 'Error parsing `filter` params: ["eq"]'],
    ['id=in.1', 'Error parsing `filter` params: `in` filter value must be wrapped by parentheses'],
    [
      'id=eq.1,,id=eq.2',
      'Error parsing `filter` params: filter must not contain empty segments (check for extra commas)',
    ],
    ['id=eq.1,a=b.c,d=e.f', 'Error parsing `filter` params: ["b", "c"]'],
    ['t=x."q"', 'Error parsing `filter` params: ["x", "\\"q\\""]'],
  ])('refuses %j with the server text, first error only', (filter, error) => {
    expect(parseFilter(filter)).toEqual({ ok: false, error })
  })

  it('reads Postgres array literals, quoted items unescaped and NULL as null', () => {
    expect(arrayLiteralItems('{1, 2,"a,b","c\\"d",NULL}')).toEqual(['1', '2', 'a,b', 'c"d', null])
    expect(arrayLiteralItems('{}')).toEqual([])
  })
})
