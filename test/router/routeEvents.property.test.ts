import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileRoutes } from '../../src/router/compileRoutes'
import { defineRoutes } from '../../src/router/defineRoutes'
import { routeEvents } from '../../src/router/routeEvents'
import { canonicalRoutes, type CanonicalApi } from '../support/canonicalRoutes'
import { recordingLogger } from '../support/routerFixtures'

/** The canonical routes plus routes that return whatever the event carries, or throw. */
const routes = defineRoutes<CanonicalApi>()([
  { on: { table: 'echo' }, tags: (e) => (e.new as { tags?: never } | null)?.tags as never },
  { on: { broadcast: 'ECHO' }, tags: (e) => (e.payload as { tags?: never } | null)?.tags as never },
  {
    on: { table: 'tasks', event: 'DELETE' },
    tags: (e) => {
      if ((e.old as { explode?: unknown } | null)?.explode) throw new Error('boom')
      return ['Tasks']
    },
  },
  ...canonicalRoutes,
])

const TABLES = ['generations', 'shot_generations', 'tasks', 'echo', 'unknown'] as const
const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.double(), fc.anything())
const tagLike = fc.oneof(
  fc.constantFrom('Shots', 'Tasks', '', 'Nope'),
  fc.record(
    { type: fc.oneof(fc.constantFrom('Shots', 'UnifiedGenerations', ''), fc.anything()), id: value },
    { requiredKeys: [] },
  ),
  fc.anything(),
)
const row = fc.oneof(
  fc.record(
    {
      project_id: value,
      shot_id: value,
      status: value,
      explode: fc.boolean(),
      tags: fc.oneof(fc.array(tagLike, { maxLength: 5 }), fc.anything()),
    },
    { requiredKeys: [] },
  ),
  fc.constant(null),
  fc.anything(),
)
const postgresEvent = fc.record(
  {
    kind: fc.constant('postgres_changes'),
    topic: fc.oneof(fc.string(), fc.anything()),
    receivedAt: fc.oneof(fc.integer({ min: 0, max: 1e12 }), fc.anything()),
    schema: fc.constantFrom('public', 'private'),
    table: fc.oneof(fc.constantFrom(...TABLES), fc.anything()),
    eventType: fc.constantFrom('INSERT', 'UPDATE', 'DELETE', 'UPSERT'),
    commitTimestamp: fc.constant(null),
    new: row,
    old: row,
  },
  { requiredKeys: ['kind', 'topic', 'receivedAt', 'schema', 'table', 'eventType'] },
)
const broadcastEvent = fc.record({
  kind: fc.constant('broadcast'),
  topic: fc.string(),
  receivedAt: fc.integer({ min: 0, max: 1e12 }),
  event: fc.constantFrom('GENERATIONS_UPDATED', 'ECHO', 'OTHER'),
  payload: fc.oneof(
    fc.record({ projectId: value, tags: fc.array(tagLike, { maxLength: 5 }) }, { requiredKeys: [] }),
    fc.anything(),
  ),
})
const anyEvent = fc.oneof(postgresEvent, broadcastEvent, fc.anything())

/** Every tag value the routes return for `events`, found by calling the route functions directly. */
function returnedTags(events: readonly unknown[]): unknown[] {
  const returned: unknown[] = []
  for (const event of events) {
    if (typeof event !== 'object' || event === null) continue
    const e = event as { kind?: unknown; table?: unknown; schema?: unknown; event?: unknown }
    for (const candidate of routes) {
      const on = candidate.on as { table?: string; broadcast?: string }
      const matches =
        on.broadcast !== undefined
          ? e.kind === 'broadcast' && e.event === on.broadcast
          : e.kind === 'postgres_changes' && e.table === on.table && e.schema === 'public'
      if (!matches) continue
      try {
        const tags = (candidate.tags as (e: unknown) => unknown)(event)
        if (Array.isArray(tags)) returned.push(...tags)
      } catch {
        // A throwing route returns nothing.
      }
    }
  }
  return returned
}

/** Whether the router may produce `tag` given what the routes returned (an id built from a missing field widens to the type). */
function permitted(tag: { type: string; id?: string | number }, returned: unknown[]): boolean {
  return returned.some((candidate) => {
    if (typeof candidate === 'string') return tag.id === undefined && candidate === tag.type
    if (typeof candidate !== 'object' || candidate === null) return false
    const { type, id } = candidate as { type?: unknown; id?: unknown }
    if (type !== tag.type) return false
    if (id === tag.id) return true
    return tag.id === undefined && typeof id === 'string' && /undefined|null|NaN/.test(id)
  })
}

describe('routeEvents on arbitrary input', () => {
  it('never throws, accounts for every event, and never produces a tag a route did not return', () => {
    const compiled = compileRoutes(routes)
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 25 }), (events) => {
        const { logger } = recordingLogger()
        const batch = routeEvents(events, compiled, logger)
        expect(batch.routed + batch.unmatched + batch.malformed).toBe(events.length)
        const returned = returnedTags(events)
        for (const { tag } of batch.tags.values()) {
          expect(typeof tag.type).toBe('string')
          expect(permitted(tag, returned), `unexpected tag ${JSON.stringify(tag)}`).toBe(true)
        }
      }),
      { numRuns: 500 },
    )
  })
})
