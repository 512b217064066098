import type { PostgresChangesEvent } from '../events/events'
import type { BroadcastRoute, PostgresOn, RouteTags } from './defineRoutes'
import { compilePatch } from './compilePatch'
import type { CompiledPatch } from './patchTypes'

const EVENTS = new Set(['*', 'INSERT', 'UPDATE', 'DELETE'])

type PostgresTags = (event: PostgresChangesEvent) => RouteTags<string>

/** A postgres_changes route as the router runs it: tags for every event, or a patch with fallback tags, or both. */
export interface CompiledPostgresRoute {
  on: PostgresOn
  event: string
  tags?: PostgresTags
  patch?: CompiledPatch
  fallbackTags?: PostgresTags
}

/** Routes indexed for O(1) lookup per event: `schema.table` → routes, broadcast name → routes. */
export interface CompiledRoutes {
  byTable: Map<string, CompiledPostgresRoute[]>
  byBroadcast: Map<string, Array<BroadcastRoute<string>>>
  count: number
}

function fail(index: number, problem: string): never {
  throw new TypeError(`createRealtime(): routes[${index}] ${problem}`)
}

/**
 * Validates and indexes routes; a malformed route fails at creation, naming its index.
 * `endpoints`, when given, are the api's endpoint names: a patch of another endpoint fails too.
 */
export function compileRoutes(routes: readonly unknown[] | undefined, endpoints?: ReadonlySet<string>): CompiledRoutes {
  const compiled: CompiledRoutes = { byTable: new Map(), byBroadcast: new Map(), count: 0 }
  if (routes === undefined) return compiled
  if (!Array.isArray(routes)) throw new TypeError('createRealtime(): routes must be an array (use defineRoutes)')
  routes.forEach((candidate: unknown, index) => {
    if (typeof candidate !== 'object' || candidate === null) fail(index, 'must be an object')
    const route = candidate as { on?: Record<string, unknown>; tags?: unknown; patch?: unknown; fallbackTags?: unknown }
    const patched = route.patch !== undefined
    if (!patched && typeof route.tags !== 'function') fail(index, 'needs tags: (event) => tags')
    if (patched && route.tags !== undefined && typeof route.tags !== 'function')
      fail(index, 'tags must be a function (event) => tags')
    if (typeof route.on !== 'object' || route.on === null) fail(index, 'needs on: { table } or on: { broadcast }')
    const on = route.on
    if (typeof on.broadcast === 'string') {
      if (on.broadcast === '') fail(index, 'on.broadcast must be a non-empty event name')
      if (patched) fail(index, 'patch is only for postgres_changes routes (on: { table })')
      const list = compiled.byBroadcast.get(on.broadcast) ?? []
      list.push(route as BroadcastRoute<string>)
      compiled.byBroadcast.set(on.broadcast, list)
    } else if (typeof on.table === 'string' && on.table !== '') {
      const schema = on.schema ?? 'public'
      const event = on.event ?? '*'
      if (typeof schema !== 'string' || schema === '') fail(index, 'on.schema must be a non-empty string')
      if (typeof event !== 'string' || !EVENTS.has(event))
        fail(index, "on.event must be '*', 'INSERT', 'UPDATE' or 'DELETE'")
      const entry: CompiledPostgresRoute = { on: on as unknown as PostgresOn, event }
      if (typeof route.tags === 'function') entry.tags = route.tags as PostgresTags
      if (patched) {
        if (typeof route.fallbackTags !== 'function')
          fail(index, 'needs fallbackTags: (event) => tags (invalidated when the patch cannot be applied)')
        entry.patch = compilePatch(route.patch, (problem) => fail(index, problem), endpoints)
        entry.fallbackTags = route.fallbackTags as PostgresTags
      }
      const key = `${schema}.${on.table}`
      const list = compiled.byTable.get(key) ?? []
      list.push(entry)
      compiled.byTable.set(key, list)
    } else {
      fail(index, 'needs on: { table } or on: { broadcast }')
    }
    compiled.count += 1
  })
  return compiled
}
