import type { Api } from '@reduxjs/toolkit/query'
import type { PostgresChangeEvent, TagDescription } from '../subscription/spec'
import type { BroadcastEvent, PostgresChangesEvent } from '../transport/events'

/** The tag types of an RTK Query api (`tagTypes`), or `string` for an untyped api. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TagTypesOf<A> = A extends Api<any, any, any, infer TagTypes, any> ? TagTypes : string

/** The tags a route returns: typed against the api, `null`/`undefined`/`false` entries are skipped. */
export type RouteTags<TagType extends string> = ReadonlyArray<TagDescription<TagType> | null | undefined | false>

/** Matches postgres_changes on one table (schema `public` and any event unless narrowed). */
export interface PostgresRoute<TagType extends string> {
  on: { table: string; schema?: string; event?: PostgresChangeEvent }
  tags: (event: PostgresChangesEvent) => RouteTags<TagType>
}

/**
 * A broadcast as a route sees it: the payload is whatever the sender sent, so it is typed
 * loosely; a route that reads a missing field and throws is counted and skipped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RoutedBroadcastEvent = Omit<BroadcastEvent, 'payload'> & { payload: any }

/** Matches broadcast messages by event name. */
export interface BroadcastRoute<TagType extends string> {
  on: { broadcast: string }
  tags: (event: RoutedBroadcastEvent) => RouteTags<TagType>
}

export type Route<TagType extends string = string> = PostgresRoute<TagType> | BroadcastRoute<TagType>

/**
 * Declares the canonical map from realtime events to cache tags, typed against an api: a tag
 * type the api does not declare is a compile error.
 *
 * @example
 * const routes = defineRoutes<typeof api>()([
 *   { on: { table: 'generations' },
 *     tags: (e) => [{ type: 'UnifiedGenerations', id: `project:${e.new?.project_id ?? e.old?.project_id}` }] },
 *   { on: { broadcast: 'GENERATIONS_UPDATED' },
 *     tags: (e) => [{ type: 'UnifiedGenerations', id: `project:${e.payload.projectId}` }] },
 * ])
 */
export function defineRoutes<A>() {
  return <const R extends ReadonlyArray<Route<TagTypesOf<A>>>>(routes: R): R => routes
}
