import { thrownKind, type Logger } from '../env/logger'
import type { PostgresChangesEvent, RealtimeEvent } from '../events/events'
import type { CompiledPostgresRoute, CompiledRoutes } from './compileRoutes'
import type { CompiledPatch } from './patchTypes'
import { tagKey, toFullTag, type FullTag } from './tags'

/** One tag a batch routed to, by its key, with the receive time of its earliest event (what the throttle is offered). */
export interface RoutedTag {
  key: string
  tag: FullTag
  eventAt: number
}

/** What routing one batch produced: each tag once, with the receive time of its earliest event. */
export interface RoutedBatch {
  tags: Map<string, RoutedTag>
  routed: number
  unmatched: number
  malformed: number
  errors: Record<string, number>
  /** Events of patch routes, in arrival order: the router patches the cache or falls back to `fallbackTags`. */
  patches: PatchJob[]
  /** The tags each source's events routed to, by {@link sourceOf} (the silent detector reads it). */
  heard: Map<string, FullTag[]>
}

/** The source of an event: its topic and binding (`schema.table`, or `broadcast:EVENT`), one per line. */
export function sourceOf(event: RealtimeEvent): string {
  return event.kind === 'broadcast'
    ? `${event.topic}\nbroadcast:${event.event}`
    : `${event.topic}\n${event.schema}.${event.table}`
}

/** The list the tags of `event`'s source go into. */
export function heardOf(batch: RoutedBatch, event: RealtimeEvent): FullTag[] {
  const source = sourceOf(event)
  let heard = batch.heard.get(source)
  if (!heard) batch.heard.set(source, (heard = []))
  return heard
}

/** One event to patch into the cache by one route. */
export interface PatchJob {
  event: PostgresChangesEvent
  patch: CompiledPatch
  fallbackTags: NonNullable<CompiledPostgresRoute['fallbackTags']>
  routeName: string
}

/** An id that interpolated a missing field (`project:undefined`): the change would be lost. */
const MISSING_ID = /(^|[:/|.#-])(undefined|null|NaN)($|[:/|.#-])/

/**
 * Events larger than this (string characters plus about 8 per other value) are skipped as
 * malformed. Above anything Supabase delivers: records are capped at 1 MB and broadcasts at
 * 3,000 KB on the largest plans.
 */
export const MAX_EVENT_SIZE = 4 * 1024 * 1024

/** True when `value` is larger than `budget`; stops walking as soon as it knows. Cycles are walked once. */
function exceedsSize(value: unknown, budget: number): boolean {
  const stack: unknown[] = [value]
  let seen: Set<object> | null = null
  while (stack.length > 0) {
    const current = stack.pop()
    if (typeof current === 'string') budget -= current.length
    else if (typeof current !== 'object' || current === null) budget -= 8
    else {
      seen ??= new Set()
      if (seen.has(current)) continue
      seen.add(current)
      for (const key of Object.keys(current)) {
        budget -= key.length + 2
        stack.push((current as Record<string, unknown>)[key])
      }
    }
    if (budget < 0) return true
  }
  return false
}

function count(batch: RoutedBatch, kind: string): void {
  batch.errors[kind] = (batch.errors[kind] ?? 0) + 1
}

type Rejection = 'MALFORMED_EVENT' | 'PAYLOAD_TOO_LARGE'

/** The event, or why it is skipped. A field that throws when read (a hostile getter or proxy) is malformed. */
function inspect(value: unknown): RealtimeEvent | Rejection {
  try {
    if (!isEvent(value)) return 'MALFORMED_EVENT'
    return exceedsSize(value, MAX_EVENT_SIZE) ? 'PAYLOAD_TOO_LARGE' : value
  } catch {
    return 'MALFORMED_EVENT'
  }
}

const REJECTION_LOG: Record<Rejection, string> = {
  MALFORMED_EVENT: 'skipped a malformed event (missing or wrong-typed fields)',
  PAYLOAD_TOO_LARGE: `skipped an event larger than ${MAX_EVENT_SIZE} characters`,
}

function isEvent(value: unknown): value is RealtimeEvent {
  if (typeof value !== 'object' || value === null) return false
  const event = value as Partial<RealtimeEvent> & Record<string, unknown>
  if (typeof event.topic !== 'string' || typeof event.receivedAt !== 'number') return false
  if (event.kind === 'broadcast') return typeof event.event === 'string'
  if (event.kind === 'postgres_changes') return typeof event.table === 'string' && typeof event.schema === 'string'
  return false
}

function addTags(
  batch: RoutedBatch,
  returned: unknown,
  eventAt: number,
  logger: Logger,
  routeName: string,
  heard: FullTag[],
): void {
  if (!Array.isArray(returned)) {
    count(batch, 'BAD_TAGS')
    logger.once(
      `bad-tags:${routeName}`,
      'warn',
      `route ${routeName} returned something other than an array of tags; skipped`,
    )
    return
  }
  for (const value of returned) {
    if (value === null || value === undefined || value === false) continue
    let tag = toFullTag(value)
    if (!tag) {
      count(batch, 'BAD_TAGS')
      logger.once(`bad-tag:${routeName}`, 'warn', `route ${routeName} returned an invalid tag; skipped`)
      continue
    }
    if (typeof tag.id === 'string' && MISSING_ID.test(tag.id)) {
      // Invalidating "project:undefined" would refresh nothing: refresh every tag of the type instead.
      count(batch, 'TAG_ID_MISSING')
      logger.once(
        `missing-id:${routeName}:${tag.type}`,
        'warn',
        `route ${routeName} built a ${tag.type} id from a missing field; invalidating all ${tag.type} tags instead`,
      )
      tag = { type: tag.type }
    }
    const key = tagKey(tag)
    heard.push(tag)
    const known = batch.tags.get(key)
    if (!known || eventAt < known.eventAt) batch.tags.set(key, { key, tag, eventAt })
  }
}

/**
 * Adds what a route's tag function returns for an event to the batch; a function that throws
 * is counted (ROUTE_THREW) and logged once, and its event's other routes still run.
 */
export function addRouteTags(
  batch: RoutedBatch,
  tags: (event: never) => unknown,
  event: RealtimeEvent,
  logger: Logger,
  routeName: string,
): void {
  try {
    const returned = (tags as (e: RealtimeEvent) => unknown)(event)
    addTags(batch, returned, event.receivedAt, logger, routeName, heardOf(batch, event))
  } catch (error) {
    count(batch, 'ROUTE_THREW')
    logger.once(`route-threw:${routeName}`, 'error', `route ${routeName} threw; the event is skipped`, {
      error: thrownKind(error),
    })
  }
}

/**
 * Maps a batch of events through the routes. Never throws: a malformed event, a payload of
 * megabytes, an unknown table or a route that throws is counted, logged once per kind, and
 * skipped; the events behind it are still routed.
 */
export function routeEvents(events: readonly unknown[], routes: CompiledRoutes, logger: Logger): RoutedBatch {
  const batch: RoutedBatch = {
    tags: new Map(),
    routed: 0,
    unmatched: 0,
    malformed: 0,
    errors: {},
    patches: [],
    heard: new Map(),
  }
  for (const candidate of events) {
    const event = inspect(candidate)
    if (typeof event === 'string') {
      batch.malformed += 1
      count(batch, event)
      logger.once(event, 'warn', REJECTION_LOG[event])
      continue
    }
    const broadcast = event.kind === 'broadcast'
    // The index key and the route's name in logs, built once per event (not once per route).
    const name = broadcast ? event.event : `${event.schema}.${event.table}`
    const candidates = broadcast ? routes.byBroadcast.get(name) : routes.byTable.get(name)
    const routeName = broadcast ? `broadcast:${name}` : name
    let matched = false
    for (const route of candidates ?? []) {
      if ('event' in route && route.event !== '*' && !broadcast && route.event !== event.eventType) continue
      matched = true
      if (route.tags) addRouteTags(batch, route.tags, event, logger, routeName)
      if ('patch' in route && route.patch && route.fallbackTags && !broadcast) {
        batch.patches.push({ event, patch: route.patch, fallbackTags: route.fallbackTags, routeName })
        heardOf(batch, event) // a patched event refreshes the cache without tags: its source was still heard
      }
    }
    if (matched) batch.routed += 1
    else {
      batch.unmatched += 1
      logger.once(`unmatched:${name}`, 'debug', 'an event matched no route')
    }
  }
  return batch
}
