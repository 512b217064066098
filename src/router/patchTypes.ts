import type { PostgresChangesEvent } from '../events/events'

/** The `endpoints` of an RTK Query api type. */
export type EndpointsOf<A> = A extends { endpoints: infer E } ? E : Record<string, never>

/** RTK Query's phantom `Types` of one endpoint. */
export type TypesOf<A, E> = E extends keyof EndpointsOf<A>
  ? EndpointsOf<A>[E] extends { Types: infer T }
    ? T
    : never
  : never

/**
 * The names of an api's plain query endpoints (not mutations, not infinite queries), or
 * `string` for an untyped api.
 */
export type QueryEndpointName<A> = string extends keyof EndpointsOf<A>
  ? string
  : {
      [K in keyof EndpointsOf<A>]: EndpointsOf<A>[K] extends { Types: { QueryDefinition: unknown } } ? K : never
    }[keyof EndpointsOf<A>] &
      string

/** The argument of a query endpoint (`unknown` for an untyped api). */
export type QueryArgOf<A, E> = TypesOf<A, E> extends { QueryArg: infer Q } ? Q : unknown

/** The cached data of a query endpoint (`unknown` for an untyped api). */
export type QueryResultOf<A, E> = TypesOf<A, E> extends { ResultType: infer R } ? R : unknown

/** The element type of a query endpoint whose data is a list (`any` for an untyped api). */
export type ListItemOf<A, E> =
  QueryResultOf<A, E> extends ReadonlyArray<infer I>
    ? I
    : unknown extends QueryResultOf<A, E>
      ? // eslint-disable-next-line @typescript-eslint/no-explicit-any
        any
      : never

/** The query endpoints of an api whose data is a list: the ones a patch or a placeholder can write. */
export type ListEndpointName<A> =
  string extends QueryEndpointName<A>
    ? string
    : {
        [E in QueryEndpointName<A>]: QueryResultOf<A, E> extends ReadonlyArray<unknown> ? E : never
      }[QueryEndpointName<A>]

/** A field name of a list item (any string for an untyped api or untyped items). */
export type ItemField<A, E> =
  string extends QueryEndpointName<A>
    ? string
    : ListItemOf<A, E> extends object
      ? Extract<keyof ListItemOf<A, E>, string>
      : string

/** Patch options for one endpoint: `args` is typed by the endpoint's argument. */
export interface PatchFor<A, E extends string> {
  /** The query endpoint whose cached list is patched. */
  endpoint: E
  /**
   * The argument of the cached list an INSERT or UPDATE belongs to (read from `e.new`).
   * `undefined` (a field the payload lacks) falls back to invalidation. Not called for DELETE:
   * a deleted row is removed from every cached list of the endpoint.
   */
  args: (event: PostgresChangesEvent) => QueryArgOf<A, E> | undefined
  /** The field that identifies a row in the list. Default `'id'`. */
  key?: ItemField<A, E>
  /**
   * A field that grows with every write (`updated_at`, a version number): an event whose row
   * is older than the cached one is ignored (last write wins).
   */
  version?: ItemField<A, E>
  /** Where an INSERTed row goes: `'start'` or `'end'` (default). */
  insertAt?: 'start' | 'end'
  /** Keeps the list sorted after every write (a stable sort). */
  sort?: (a: ListItemOf<A, E>, b: ListItemOf<A, E>) => number
}

/**
 * How a postgres_changes route patches a cached list (zero-refetch updates), typed against the
 * api's list endpoints: INSERT adds the row to the list `args(event)` names, UPDATE replaces
 * it there in place (an UPDATE of a row that list lacks refetches: it may sit on another page),
 * DELETE removes it from every cached list of the endpoint. Last write wins on `version`, and
 * an event committed before the last one applied to its row is ignored (a late UPDATE never
 * resurrects a deleted row). A payload that cannot be applied exactly (Realtime `errors`, a
 * missing key, version or column) invalidates the route's `fallbackTags` instead.
 *
 * @example
 * defineRoutes<typeof api>()([
 *   { on: { table: 'generations' },
 *     patch: { endpoint: 'getGenerations', args: (e) => e.new?.project_id === undefined ? undefined : { projectId: String(e.new.project_id) },
 *              key: 'id', version: 'updated_at', insertAt: 'start' },
 *     fallbackTags: (e) => [{ type: 'Generations', id: `project:${e.new?.project_id ?? e.old?.project_id}` }] },
 * ])
 */
export type PatchOptions<A> = { [E in ListEndpointName<A>]: PatchFor<A, E> }[ListEndpointName<A>]

/** Patch options as the router reads them at runtime. */
export interface CompiledPatch {
  endpoint: string
  args: (event: PostgresChangesEvent) => unknown
  key: string
  version: string | undefined
  insertAt: 'start' | 'end'
  sort: ((a: unknown, b: unknown) => number) | undefined
}
