import { describe, expectTypeOf, it } from 'vitest'
import { defineRoutes } from '../../src/router/defineRoutes'
import type { ListEndpointName, ListItemOf, QueryArgOf, QueryEndpointName } from '../../src/router/patchTypes'
import type { PostgresChangesEvent } from '../../src/events/events'
import type { Generation, ListApi } from './listSupport'

describe('patch routes, typed against the api', () => {
  it('reads the query endpoints, their arguments and list items', () => {
    expectTypeOf<QueryEndpointName<ListApi>>().toEqualTypeOf<'generations' | 'generationCount'>()
    expectTypeOf<ListEndpointName<ListApi>>().toEqualTypeOf<'generations'>()
    expectTypeOf<QueryArgOf<ListApi, 'generations'>>().toEqualTypeOf<{ projectId: string }>()
    expectTypeOf<ListItemOf<ListApi, 'generations'>>().toEqualTypeOf<Generation>()
    expectTypeOf<QueryEndpointName<unknown>>().toEqualTypeOf<string>()
  })

  it('compiles a patch route with fallback tags, and gives args the postgres event', () => {
    defineRoutes<ListApi>()([
      {
        on: { table: 'generations' },
        patch: {
          endpoint: 'generations',
          args: (e) => {
            expectTypeOf(e).toEqualTypeOf<PostgresChangesEvent>()
            return { projectId: String(e.new?.project_id) }
          },
          key: 'id',
          version: 'updated_at',
          insertAt: 'start',
          sort: (a, b) => {
            expectTypeOf(a).toEqualTypeOf<Generation>()
            return a.updated_at < b.updated_at ? 1 : -1
          },
        },
        fallbackTags: (e) => [{ type: 'Generations', id: String(e.old?.project_id) }],
      },
      { on: { table: 'tasks' }, tags: () => ['Counts'] },
    ])
  })

  it('rejects an endpoint that is not a cached list', () => {
    defineRoutes<ListApi>()([
      {
        on: { table: 'generations' },
        // @ts-expect-error generationCount caches a number, not a list
        patch: { endpoint: 'generationCount', args: () => 'p1' },
        fallbackTags: () => ['Counts'],
      },
    ])
    defineRoutes<ListApi>()([
      // @ts-expect-error not an endpoint of the api
      { on: { table: 'generations' }, patch: { endpoint: 'nope', args: () => 'p1' }, fallbackTags: () => ['Counts'] },
    ])
  })

  it('rejects args of the wrong type and fields the items do not have', () => {
    defineRoutes<ListApi>()([
      {
        on: { table: 'generations' },
        // @ts-expect-error generations takes { projectId }
        patch: { endpoint: 'generations', args: () => 'p1' },
        fallbackTags: () => ['Counts'],
      },
    ])
    defineRoutes<ListApi>()([
      {
        on: { table: 'generations' },
        // @ts-expect-error 'uuid' is not a field of Generation
        patch: { endpoint: 'generations', args: () => ({ projectId: 'p1' }), key: 'uuid' },
        fallbackTags: () => ['Counts'],
      },
    ])
  })

  it('needs fallbackTags typed against the api, and patches only postgres routes', () => {
    defineRoutes<ListApi>()([
      // @ts-expect-error a patch route needs fallbackTags
      { on: { table: 'generations' }, patch: { endpoint: 'generations', args: () => ({ projectId: 'p1' }) } },
    ])
    defineRoutes<ListApi>()([
      {
        on: { table: 'generations' },
        patch: { endpoint: 'generations', args: () => ({ projectId: 'p1' }) },
        // @ts-expect-error 'Shots' is not one of the api's tagTypes
        fallbackTags: () => ['Shots'],
      },
    ])
    defineRoutes<ListApi>()([
      {
        on: { broadcast: 'GENERATIONS_UPDATED' },
        // @ts-expect-error broadcasts carry no row to patch with
        patch: { endpoint: 'generations', args: () => ({ projectId: 'p1' }) },
        fallbackTags: () => ['Counts'],
      },
    ])
  })
})
