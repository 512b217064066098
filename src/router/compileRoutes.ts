import type { BroadcastRoute, PostgresRoute, Route } from './defineRoutes'

const EVENTS = new Set(['*', 'INSERT', 'UPDATE', 'DELETE'])

/** Routes indexed for O(1) lookup per event: `schema.table` → routes, broadcast name → routes. */
export interface CompiledRoutes {
  byTable: Map<string, Array<PostgresRoute<string> & { event: string }>>
  byBroadcast: Map<string, Array<BroadcastRoute<string>>>
  count: number
}

function fail(index: number, problem: string): never {
  throw new TypeError(`createRealtime(): routes[${index}] ${problem}`)
}

/** Validates and indexes routes; a malformed route fails at creation, naming its index. */
export function compileRoutes(routes: readonly unknown[] | undefined): CompiledRoutes {
  const compiled: CompiledRoutes = { byTable: new Map(), byBroadcast: new Map(), count: 0 }
  if (routes === undefined) return compiled
  if (!Array.isArray(routes)) throw new TypeError('createRealtime(): routes must be an array (use defineRoutes)')
  routes.forEach((candidate: unknown, index) => {
    if (typeof candidate !== 'object' || candidate === null) fail(index, 'must be an object')
    const route = candidate as Partial<Route> & { on?: Record<string, unknown> }
    if (typeof route.tags !== 'function') fail(index, 'needs tags: (event) => tags')
    if (typeof route.on !== 'object' || route.on === null) fail(index, 'needs on: { table } or on: { broadcast }')
    const on = route.on
    if (typeof on.broadcast === 'string') {
      if (on.broadcast === '') fail(index, 'on.broadcast must be a non-empty event name')
      const list = compiled.byBroadcast.get(on.broadcast) ?? []
      list.push(route as BroadcastRoute<string>)
      compiled.byBroadcast.set(on.broadcast, list)
    } else if (typeof on.table === 'string' && on.table !== '') {
      const schema = on.schema ?? 'public'
      const event = on.event ?? '*'
      if (typeof schema !== 'string' || schema === '') fail(index, 'on.schema must be a non-empty string')
      if (typeof event !== 'string' || !EVENTS.has(event)) fail(index, "on.event must be '*', 'INSERT', 'UPDATE' or 'DELETE'")
      const key = `${schema}.${on.table}`
      const list = compiled.byTable.get(key) ?? []
      list.push({ ...(route as PostgresRoute<string>), event })
      compiled.byTable.set(key, list)
    } else {
      fail(index, 'needs on: { table } or on: { broadcast }')
    }
    compiled.count += 1
  })
  return compiled
}
