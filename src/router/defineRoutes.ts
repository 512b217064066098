import type { PostgresChangeKind } from '../events/bindings'
import type { TagDescription } from '../subscription/spec'
import type { BroadcastEvent, PostgresChangesEvent } from '../events/events'
import type { PatchOptions } from './patchTypes'

/**
 * The tag types of an RTK Query api (`tagTypes`), or `string` for an untyped api. Read from
 * `util.invalidateTags`, whose parameter names them plainly (inferring through RTK's `Api`
 * intersection type yields `string` or `never`, which would type-check any tag).
 */
export type TagTypesOf<A> = A extends { util: { invalidateTags: (tags: Array<infer Description>) => unknown } }
  ? Extract<Description, string>
  : string

/** The tags a route returns: typed against the api, `null`/`undefined`/`false` entries are skipped. */
export type RouteTags<TagType extends string> = ReadonlyArray<TagDescription<TagType> | null | undefined | false>

/** What a postgres_changes route matches: one table (schema `public` and any event unless narrowed). */
export interface PostgresOn {
  table: string
  schema?: string
  event?: PostgresChangeKind
}

/** What a broadcast route matches: an event name. */
export interface BroadcastOn {
  broadcast: string
}

/** Matches postgres_changes on one table (schema `public` and any event unless narrowed). */
export interface PostgresRoute<TagType extends string> {
  on: PostgresOn
  tags: (event: PostgresChangesEvent) => RouteTags<TagType>
}

/**
 * A postgres_changes route that patches a cached list from the event's row instead of
 * refetching it (see {@link PatchOptions}). `fallbackTags` are invalidated only when the patch
 * cannot be applied; `tags`, when given, are invalidated for every event as in any route.
 *
 * @example
 * const route: PostgresPatchRoute<'Generations' | 'Counts', typeof api> = {
 *   on: { table: 'generations' },
 *   patch: { endpoint: 'getGenerations', args: (e) => ({ projectId: String(e.new?.project_id) }), version: 'updated_at' },
 *   fallbackTags: (e) => [{ type: 'Generations', id: String(e.new?.project_id ?? e.old?.project_id) }],
 *   tags: (e) => [{ type: 'Counts', id: String(e.new?.project_id ?? e.old?.project_id) }],   // refetched for every event
 * }
 */
export interface PostgresPatchRoute<TagType extends string, A = unknown> {
  on: PostgresOn
  patch: PatchOptions<A>
  fallbackTags: (event: PostgresChangesEvent) => RouteTags<TagType>
  tags?: (event: PostgresChangesEvent) => RouteTags<TagType>
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

export type Route<TagType extends string = string> =
  PostgresRoute<TagType> | PostgresPatchRoute<TagType> | BroadcastRoute<TagType>

/** The event a route with this `on` receives. */
export type EventFor<On> = On extends BroadcastOn ? RoutedBroadcastEvent : PostgresChangesEvent

/** The route an `on` describes, so that `tags` gets the matching event type; a postgres route may patch instead. */
export type RouteFor<On, TagType extends string, A = unknown> =
  | { on: On; tags: (event: EventFor<On>) => RouteTags<TagType>; patch?: undefined; fallbackTags?: undefined }
  | {
      on: On
      patch: On extends BroadcastOn ? never : PatchOptions<A>
      fallbackTags: (event: PostgresChangesEvent) => RouteTags<TagType>
      tags?: (event: EventFor<On>) => RouteTags<TagType>
    }

/**
 * Declares the canonical map from realtime events to cache tags, typed against an api: a tag
 * type the api does not declare is a compile error, and each route's `tags` receives the event
 * its `on` matches (a `PostgresChangesEvent` for `{ table }`, a `RoutedBroadcastEvent` for `{ broadcast }`).
 *
 * @example
 * const routes = defineRoutes<typeof api>()([
 *   { on: { table: 'generations' },
 *     tags: (e) => [{ type: 'UnifiedGenerations', id: `project:${e.new?.project_id ?? e.old?.project_id}` }] },
 *   { on: { broadcast: 'GENERATIONS_UPDATED' },
 *     tags: (e) => [{ type: 'UnifiedGenerations', id: `project:${e.payload.projectId}` }] },
 * ])
 *
 * Route lists compose by spreading whole lists: `defineRoutes<typeof api>()([...generationRoutes, ...taskRoutes])`.
 * (Write inline routes before any spread: TypeScript types an inline route that follows a spread
 * from the wrong position.)
 */
export function defineRoutes<A>() {
  // The routes are a mapped tuple over their `on`s: TypeScript infers each `on` first, then types
  // that route's `tags` parameter from it (a plain union of route types leaves `e` untyped).
  return <const Ons extends ReadonlyArray<PostgresOn | BroadcastOn>>(routes: {
    [K in keyof Ons]: RouteFor<Ons[K], TagTypesOf<A>, A>
  }) => routes
}
