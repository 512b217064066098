import { describe, expectTypeOf, it } from 'vitest'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { defineRoutes, type RoutedBroadcastEvent, type RouteTags, type TagTypesOf } from '../../src/router/defineRoutes'
import type { PostgresChangesEvent } from '../../src/events/events'
import type { CanonicalApi } from '../support/canonicalRoutes'

describe('defineRoutes<typeof api>()', () => {
  it('reads the tag types of the api', () => {
    expectTypeOf<TagTypesOf<CanonicalApi>>().toEqualTypeOf<
      'UnifiedGenerations' | 'Shots' | 'TaskStatusCounts' | 'Tasks'
    >()
  })

  it('falls back to any string for something that is not an api', () => {
    expectTypeOf<TagTypesOf<unknown>>().toEqualTypeOf<string>()
  })

  it('compiles routes whose tags the api declares', () => {
    const routes = defineRoutes<CanonicalApi>()([
      {
        on: { table: 'generations' },
        tags: (e) => [{ type: 'UnifiedGenerations', id: `project:${String(e.new?.project_id)}` }],
      },
      {
        on: { table: 'tasks', schema: 'public', event: 'UPDATE' },
        tags: () => ['TaskStatusCounts', { type: 'Tasks', id: 'paginated:p1:1' }, null, false],
      },
      { on: { broadcast: 'GENERATIONS_UPDATED' }, tags: () => [{ type: 'Shots', id: 7 }] },
    ])
    expectTypeOf(routes).toExtend<readonly unknown[]>()
    expectTypeOf(routes[0].on).toEqualTypeOf<{ readonly table: 'generations' }>()
  })

  it('gives each route the event its `on` matches', () => {
    defineRoutes<CanonicalApi>()([
      {
        on: { table: 'generations' },
        tags: (e) => {
          expectTypeOf(e).toEqualTypeOf<PostgresChangesEvent>()
          return []
        },
      },
      {
        on: { broadcast: 'GENERATIONS_UPDATED' },
        tags: (e) => {
          expectTypeOf(e).toEqualTypeOf<RoutedBroadcastEvent>()
          expectTypeOf(e.payload).toBeAny()
          return []
        },
      },
    ])
  })

  it('rejects a tag type the api does not declare', () => {
    defineRoutes<CanonicalApi>()([
      // @ts-expect-error 'Generations' is not one of the api's tagTypes
      { on: { table: 'generations' }, tags: () => [{ type: 'Generations', id: 'project:1' }] },
    ])
    defineRoutes<CanonicalApi>()([
      // @ts-expect-error a bare tag type must be declared too
      { on: { broadcast: 'GENERATIONS_UPDATED' }, tags: () => ['unified-generations'] },
    ])
  })

  it('types the tags of a route without parameters too (no widening to string)', () => {
    defineRoutes<CanonicalApi>()([{ on: { table: 'tasks' }, tags: () => ['TaskStatusCounts', null, false] }])
    defineRoutes<CanonicalApi>()([
      // @ts-expect-error 'Nope' is not one of the api's tagTypes
      { on: { table: 'tasks' }, tags: () => ['Nope'] },
    ])
  })

  it('composes route lists by spreading them', () => {
    const generations = defineRoutes<CanonicalApi>()([
      { on: { table: 'generations' }, tags: (e) => [{ type: 'Shots', id: String(e.new?.project_id) }] },
    ])
    const broadcasts = defineRoutes<CanonicalApi>()([
      { on: { broadcast: 'GENERATIONS_UPDATED' }, tags: (e) => [{ type: 'Shots', id: String(e.payload) }] },
    ])
    const all = defineRoutes<CanonicalApi>()([
      { on: { table: 'tasks' }, tags: (e) => [e.eventType === 'DELETE' && 'Tasks'] },
      ...generations,
      ...broadcasts,
    ])
    expectTypeOf(all).toExtend<readonly unknown[]>()
  })

  it('compiles the README examples as written', () => {
    const api = createApi({
      baseQuery: fakeBaseQuery(),
      tagTypes: ['UnifiedGenerations', 'ShotCounts', 'TaskStatusCounts', 'TasksPage'],
      endpoints: () => ({}),
    })
    expectTypeOf(api.reducerPath).toEqualTypeOf<'api'>()
    defineRoutes<typeof api>()([
      {
        on: { table: 'generations' },
        tags: (e) => [{ type: 'UnifiedGenerations', id: `project:${e.new?.project_id ?? e.old?.project_id}` }],
      },
      {
        on: { broadcast: 'GENERATIONS_UPDATED' },
        tags: (e) => [{ type: 'UnifiedGenerations', id: `project:${e.payload.projectId}` }],
      },
    ])
    defineRoutes<typeof api>()([
      {
        on: { table: 'generations' },
        tags: (e) => {
          const row = e.new ?? e.old
          return [
            { type: 'UnifiedGenerations', id: `project:${row?.project_id}` },
            row?.shot_id ? { type: 'UnifiedGenerations', id: `shot:${row.shot_id}` } : null,
            { type: 'ShotCounts', id: `project:${row?.project_id}` },
          ]
        },
      },
      {
        on: { table: 'tasks', event: 'UPDATE' },
        tags: (e) => [
          { type: 'TaskStatusCounts', id: `project:${e.new?.project_id}` },
          { type: 'TasksPage', id: `project:${e.new?.project_id}:1` },
        ],
      },
    ])
  })

  it('rejects an unknown postgres event and a broadcast route that reads a row', () => {
    defineRoutes<CanonicalApi>()([
      // @ts-expect-error 'UPSERT' is not a postgres_changes event
      { on: { table: 'generations', event: 'UPSERT' }, tags: () => ['Shots'] },
    ])
    defineRoutes<CanonicalApi>()([
      // @ts-expect-error a broadcast event has no row
      { on: { broadcast: 'GENERATIONS_UPDATED' }, tags: (e) => [{ type: 'Shots', id: String(e.new) }] },
    ])
  })

  it('types the returned tags against the api', () => {
    expectTypeOf<RouteTags<TagTypesOf<CanonicalApi>>>().toEqualTypeOf<
      ReadonlyArray<
        | 'UnifiedGenerations'
        | 'Shots'
        | 'TaskStatusCounts'
        | 'Tasks'
        | { type: 'UnifiedGenerations' | 'Shots' | 'TaskStatusCounts' | 'Tasks'; id?: string | number }
        | null
        | undefined
        | false
      >
    >()
  })
})
