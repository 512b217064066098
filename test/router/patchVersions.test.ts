import { describe, expect, it } from 'vitest'
import { compareVersions } from '../../src/router/patchVersions'
import { MAX_RECENT_KEYS, RecentWrites } from '../../src/router/recentWrites'

describe('compareVersions orders row versions for last-write-wins', () => {
  it.each([
    [1, 2, -1],
    [2, 2, 0],
    [3, 2, 1],
    ['10', '9', 1],
    ['9007199254740993', '9007199254740992', 1],
    [7, '7', 0],
    ['8', 7, 1],
    ['2026-01-01T00:00:00.000001+00:00', '2026-01-01 00:00:00+00', 1],
    ['2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00.45Z', 1],
    ['2026-01-01T02:00:00+02:00', '2026-01-01T00:00:00Z', 0],
    ['2026-01-01T01:00:00+0100', '2026-01-01T00:00:00.000001', -1],
    ['2026-01-01 00:00:00.123456+00', '2026-01-01T00:00:00.123457Z', -1],
  ])('compares %s with %s as %s', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected)
  })

  it.each([
    ['yesterday', '2026-01-01T00:00:00Z'],
    [null, 1],
    [undefined, undefined],
    [Number.NaN, 1],
    [{}, {}],
    [1.5, '2'],
  ])('cannot compare %s with %s', (a, b) => {
    expect(compareVersions(a, b)).toBeNull()
  })
})

describe('RecentWrites remembers the last commit per row key', () => {
  it('says an event committed before the last write is older, and an equal one (same transaction) is not', () => {
    const writes = new RecentWrites()
    writes.record('list', 'a', '2026-01-01T00:00:02Z', false)
    expect(writes.verdict('list', 'a', '2026-01-01T00:00:01Z', false)).toBe('older')
    expect(writes.verdict('list', 'a', '2026-01-01T00:00:02Z', false)).toBe('newer')
    expect(writes.verdict('list', 'b', '2026-01-01T00:00:00Z', false)).toBe('newer')
  })

  it('cannot order a write after a delete without commit timestamps', () => {
    const writes = new RecentWrites()
    writes.record('list', 'a', null, true)
    expect(writes.verdict('list', 'a', null, false)).toBe('unknown-after-delete')
    expect(writes.verdict('list', 'a', null, true)).toBe('newer')
  })

  it('keeps at most MAX_RECENT_KEYS keys per endpoint, forgetting the least recently written', () => {
    const writes = new RecentWrites()
    for (let i = 0; i <= MAX_RECENT_KEYS; i++) writes.record('list', i, '2026-01-01T00:00:05Z', true)
    expect(writes.size('list')).toBe(MAX_RECENT_KEYS)
    expect(writes.verdict('list', 0, '2026-01-01T00:00:01Z', false)).toBe('newer')
    expect(writes.verdict('list', 1, '2026-01-01T00:00:01Z', false)).toBe('older')
  })
})
