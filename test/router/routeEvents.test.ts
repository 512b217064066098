import { describe, expect, it } from 'vitest'
import { compileRoutes } from '../../src/router/compileRoutes'
import { defineRoutes } from '../../src/router/defineRoutes'
import { MAX_EVENT_SIZE, routeEvents } from '../../src/router/routeEvents'
import { canonicalRoutes, type CanonicalApi } from '../support/canonicalRoutes'
import { bc, pg, recordingLogger } from '../support/routerFixtures'

function route(events: readonly unknown[], routes: readonly unknown[] = canonicalRoutes) {
  const { logger, lines } = recordingLogger()
  const batch = routeEvents(events, compileRoutes(routes), logger)
  return { ...batch, tagList: [...batch.tags.values()].map((entry) => entry.tag), lines }
}

describe('routeEvents on the canonical invalidation map', () => {
  it('routes a generation to its project list, its shot list and the shot counts', () => {
    const { tagList, routed } = route([
      pg('generations', 'INSERT', { new: { id: 'g1', project_id: 'p1', shot_id: 's1' } }),
    ])
    expect(routed).toBe(1)
    expect(tagList).toEqual([
      { type: 'UnifiedGenerations', id: 'project:p1' },
      { type: 'UnifiedGenerations', id: 'shot:s1' },
      { type: 'Shots', id: 'p1' },
    ])
  })

  it('routes a deleted generation without a shot from its old row, and no shot list', () => {
    const { tagList } = route([pg('generations', 'DELETE', { old: { id: 'g1', project_id: 'p1' } })])
    expect(tagList).toEqual([
      { type: 'UnifiedGenerations', id: 'project:p1' },
      { type: 'Shots', id: 'p1' },
    ])
  })

  it('routes a shot_generations move to the project and both shots', () => {
    const { tagList } = route([
      pg('shot_generations', 'UPDATE', {
        new: { project_id: 'p1', shot_id: 's2' },
        old: { project_id: 'p1', shot_id: 's1' },
      }),
    ])
    expect(tagList).toEqual([
      { type: 'UnifiedGenerations', id: 'project:p1' },
      { type: 'UnifiedGenerations', id: 'shot:s2' },
      { type: 'UnifiedGenerations', id: 'shot:s1' },
    ])
  })

  it('routes a task status transition to the status counts and the first task page', () => {
    const { tagList } = route([
      pg('tasks', 'UPDATE', {
        new: { project_id: 'p1', status: 'Complete' },
        old: { id: 't1', status: 'In Progress' },
      }),
    ])
    expect(tagList).toEqual([
      { type: 'TaskStatusCounts', id: 'p1' },
      { type: 'Tasks', id: 'paginated:p1:1' },
    ])
  })

  it('routes a task update that kept its status to nothing (routed, no tags)', () => {
    const { tagList, routed } = route([
      pg('tasks', 'UPDATE', { new: { project_id: 'p1', status: 'Queued' }, old: { status: 'Queued' } }),
    ])
    expect(routed).toBe(1)
    expect(tagList).toEqual([])
  })

  it('routes the GENERATIONS_UPDATED broadcast to the project list', () => {
    expect(route([bc('GENERATIONS_UPDATED', { projectId: 'p9' })]).tagList).toEqual([
      { type: 'UnifiedGenerations', id: 'project:p9' },
    ])
  })

  it('reports each tag once per batch, with the receive time of its earliest event', () => {
    const { tags } = route([
      pg('generations', 'UPDATE', { new: { project_id: 'p1' } }, 300),
      pg('generations', 'UPDATE', { new: { project_id: 'p1' } }, 100),
      pg('tasks', 'INSERT', { new: { project_id: 'p1' } }, 200),
    ])
    expect(tags.size).toBe(4)
    expect(tags.get('UnifiedGenerations|project:p1')?.eventAt).toBe(100)
    expect(tags.get('TaskStatusCounts|p1')?.eventAt).toBe(200)
  })
})

describe('routeEvents on bad input', () => {
  const hostile = defineRoutes<CanonicalApi>()([
    {
      on: { table: 'explodes' },
      tags: () => {
        throw new Error('boom')
      },
    },
    { on: { table: 'not_an_array' }, tags: () => 'Shots' as never },
    {
      on: { table: 'bad_tags' },
      tags: () =>
        [
          42,
          { type: '' },
          { type: 'Shots', id: {} },
          { type: 'Shots', id: Number.NaN },
          null,
          undefined,
          false,
          'Shots',
        ] as never,
    },
    { on: { table: 'deletes', event: 'DELETE' }, tags: () => ['Tasks'] },
    ...canonicalRoutes,
  ])

  it('counts an event of an unknown table as unmatched, logged once per table at debug', () => {
    const { routed, unmatched, tagList, lines } = route(
      [pg('unknown', 'INSERT', {}), pg('unknown', 'INSERT', {}), bc('NOBODY', {})],
      hostile,
    )
    expect({ routed, unmatched, tagList }).toEqual({ routed: 0, unmatched: 3, tagList: [] })
    expect(lines.map((line) => line.level)).toEqual(['debug', 'debug'])
  })

  it('honours a route narrowed to one postgres event', () => {
    expect(route([pg('deletes', 'INSERT', {})], hostile)).toMatchObject({ routed: 0, unmatched: 1 })
    expect(route([pg('deletes', 'DELETE', {})], hostile).tagList).toEqual([{ type: 'Tasks' }])
  })

  it('counts a throwing route, logs it once without row data, and routes the events behind it', () => {
    const { errors, tagList, lines } = route(
      [
        pg('explodes', 'INSERT', { new: { secret: 'SECRET-ROW' } }),
        pg('explodes', 'INSERT', {}),
        pg('tasks', 'INSERT', { new: { project_id: 'p1' } }),
      ],
      hostile,
    )
    expect(errors).toEqual({ ROUTE_THREW: 2 })
    expect(tagList).toEqual([
      { type: 'TaskStatusCounts', id: 'p1' },
      { type: 'Tasks', id: 'paginated:p1:1' },
    ])
    const threw = lines.filter((line) => line.line.includes('threw'))
    expect(threw).toHaveLength(1)
    expect(threw[0]).toMatchObject({ level: 'error', line: expect.stringMatching(/^\[InvalidationRouter\] /) })
  })

  it('counts a route that returns something other than an array', () => {
    expect(route([pg('not_an_array', 'INSERT', {}), pg('not_an_array', 'INSERT', {})], hostile)).toMatchObject({
      errors: { BAD_TAGS: 2 },
      tagList: [],
    })
  })

  it('skips invalid tags one by one and keeps the valid ones; null, undefined and false are not errors', () => {
    const { errors, tagList, lines } = route([pg('bad_tags', 'INSERT', {})], hostile)
    expect(errors).toEqual({ BAD_TAGS: 4 })
    expect(tagList).toEqual([{ type: 'Shots' }])
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1)
  })

  it("turns an id built from a missing field ('project:undefined') into the type-wide tag", () => {
    const { errors, tagList, lines } = route(
      [
        pg('generations', 'INSERT', { new: { id: 'g1' } }),
        pg('shot_generations', 'DELETE', { old: { shot_id: 's1' } }),
        bc('GENERATIONS_UPDATED', null),
      ],
      hostile,
    )
    expect(tagList).toEqual([
      { type: 'UnifiedGenerations' },
      { type: 'Shots' },
      { type: 'UnifiedGenerations', id: 'shot:s1' },
    ])
    expect(errors).toEqual({ TAG_ID_MISSING: 4 })
    // Once per route and tag type.
    expect(lines.filter((line) => line.line.includes('missing field'))).toHaveLength(4)
  })

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'INSERT generations'],
    ['an empty object', {}],
    ['no receivedAt', { kind: 'postgres_changes', topic: 't', schema: 'public', table: 'tasks' }],
    [
      'a string receivedAt',
      { kind: 'postgres_changes', topic: 't', receivedAt: '1', schema: 'public', table: 'tasks' },
    ],
    ['no table', { kind: 'postgres_changes', topic: 't', receivedAt: 1, schema: 'public' }],
    ['a numeric table', { kind: 'postgres_changes', topic: 't', receivedAt: 1, schema: 'public', table: 7 }],
    ['a broadcast without a name', { kind: 'broadcast', topic: 't', receivedAt: 1, payload: {} }],
    ['an unknown kind', { kind: 'presence', topic: 't', receivedAt: 1 }],
    ['no topic', { kind: 'broadcast', receivedAt: 1, event: 'GENERATIONS_UPDATED' }],
  ])('counts a malformed event (%s), logs it once, and routes the event behind it', (_name, garbage) => {
    const { malformed, errors, routed, tagList, lines } = route([
      garbage,
      garbage,
      bc('GENERATIONS_UPDATED', { projectId: 'p1' }),
    ])
    expect({ malformed, errors, routed }).toEqual({ malformed: 2, errors: { MALFORMED_EVENT: 2 }, routed: 1 })
    expect(tagList).toEqual([{ type: 'UnifiedGenerations', id: 'project:p1' }])
    expect(lines.filter((line) => line.line.includes('malformed'))).toHaveLength(1)
  })

  it('counts an event whose fields throw when read as malformed, and routes the event behind it', () => {
    const hostileEvent = {
      kind: 'broadcast',
      get topic(): string {
        throw new Error('getter')
      },
    }
    const { malformed, routed } = route([hostileEvent, bc('GENERATIONS_UPDATED', { projectId: 'p1' })])
    expect({ malformed, routed }).toEqual({ malformed: 1, routed: 1 })
  })

  it('counts a payload of megabytes, logs it once without its content, skips it, and routes the event behind it', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024)
    const { malformed, errors, routed, tagList, lines } = route([
      pg('generations', 'INSERT', { new: { project_id: 'p1', blob: huge } }),
      bc('GENERATIONS_UPDATED', { projectId: 'p2', blob: huge }),
      bc('GENERATIONS_UPDATED', { projectId: 'p3', parts: Array.from({ length: 64 }, () => 'y'.repeat(100_000)) }),
      bc('GENERATIONS_UPDATED', { projectId: 'p4' }),
    ])
    expect({ malformed, errors, routed }).toEqual({ malformed: 3, errors: { PAYLOAD_TOO_LARGE: 3 }, routed: 1 })
    expect(tagList).toEqual([{ type: 'UnifiedGenerations', id: 'project:p4' }])
    expect(lines).toHaveLength(1)
    expect(JSON.stringify(lines).length).toBeLessThan(1_000)
  })

  it('routes a payload just under the size limit', () => {
    const { routed, errors } = route([
      bc('GENERATIONS_UPDATED', { projectId: 'p1', blob: 'x'.repeat(MAX_EVENT_SIZE - 1_000) }),
    ])
    expect({ routed, errors }).toEqual({ routed: 1, errors: {} })
  })

  it('measures a cyclic payload without hanging', () => {
    const cyclic: Record<string, unknown> = { projectId: 'p1' }
    cyclic.self = cyclic
    expect(route([bc('GENERATIONS_UPDATED', cyclic)])).toMatchObject({
      routed: 1,
      malformed: 0,
      tagList: [{ type: 'UnifiedGenerations', id: 'project:p1' }],
    })
  })

  it('never puts row data in a log line or its context', () => {
    const secret = 'SECRET-ROW'
    const { lines } = route(
      [
        pg('explodes', 'INSERT', { new: { secret } }),
        pg('bad_tags', 'INSERT', { new: { secret } }),
        pg('not_an_array', 'INSERT', { new: { secret } }),
        pg('unknown', 'INSERT', { new: { secret } }),
        pg('generations', 'INSERT', { new: { secret } }),
        { kind: 'postgres_changes', topic: 't', receivedAt: 'x', table: secret },
        bc('GENERATIONS_UPDATED', { secret, blob: 'x'.repeat(5 * 1024 * 1024) }),
      ],
      hostile,
    )
    expect(lines.length).toBeGreaterThan(4)
    for (const line of lines) expect(JSON.stringify(line)).not.toContain(secret)
  })
})
