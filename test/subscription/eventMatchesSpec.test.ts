import { describe, expect, it } from 'vitest'
import { rowMatchesFilter } from '../../src/subscription/eventMatchesSpec'

const row = { id: 3, title: 'Milk', done: false, note: null, value: 'c' }

describe('rowMatchesFilter applies filters as the server does', () => {
  it.each<[string, boolean]>([
    ['value=gte.b,value=lte.d', true],
    ['value=gte.d,value=lte.f', false],
    ['id=gt.1,id=lt.3', false],
    ['title=like.M%', true],
    ['title=like.m%', false],
    ['title=ilike.m%', true],
    ['title=match.^M.l', true],
    ['title=imatch.^mi', true],
    ['note=is.null', true],
    ['note=not.is.null', false],
    ['done=is.false', true],
    ['done=is.true', false],
    ['id=isdistinct.3', false],
    ['note=isdistinct.3', true],
    ['id=not.eq.3', false],
    ['id=not.in.(1,2)', true],
    ['id=in.(3,4)', true],
    ['note=eq.x', false],
    ['note=not.eq.x', false],
    ['missing=eq.1', false],
    ['title=eq."Milk"', true],
  ])('%s → %s', (filter, expected) => {
    expect(rowMatchesFilter(row, filter)).toBe(expected)
  })

  it('fails closed on a row without the column (a DELETE that carries only the key)', () => {
    expect(rowMatchesFilter({ id: 1 }, 'title=eq.a')).toBe(false)
    expect(rowMatchesFilter({ id: 1 }, 'id=eq.1')).toBe(true)
    expect(rowMatchesFilter(null, 'id=eq.1')).toBe(false)
  })

  it('never matches a filter the server refuses', () => {
    expect(rowMatchesFilter(row, 'id=foo.3')).toBe(false)
  })
})
