import type { Clock } from '../env/clock'
import { isPending } from '../optimistic/placeholderList'
import type { QueryThunkAction, RtkqMatchers } from '../rtkq/rtkqActions'
import { tagKey, type FullTag } from './tags'

/** How many entries each map keeps at most; the oldest are forgotten (bounded memory). */
const MAX_TRACKED = 10_000
/** A polled entry's refetch must start within this long of the poll (RTK Query may hold it behind pending requests). */
const AWAIT_MS = 10_000
/** Tag types and tag keys remembered per source. */
const MAX_PER_SOURCE = 1_000

/** One tag of a live topic's subscription that a poll, safety-net or focus refetch covers. */
export interface Cover {
  topic: string
  tag: FullTag
}

/** A refetch found changed data with no event for a cover's tag since the cached data was fetched. */
export interface Miss extends Cover {
  /** Start of the fetch whose data the refetch replaced. */
  since: number
}

interface PolledRequest {
  key: string
  previous: unknown
  since: number
  covers: Cover[]
}

/**
 * Sets `key` as the newest entry; past {@link MAX_TRACKED}, forgets the oldest half in one pass
 * (trimming one at a time would walk the holes deleted entries leave at the front: quadratic).
 */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
  if (map.size <= MAX_TRACKED) return
  let excess = map.size - MAX_TRACKED / 2
  for (const oldest of map.keys()) {
    if (excess-- <= 0) break
    map.delete(oldest)
  }
}

/**
 * Whether replaced data is a list holding an optimistic placeholder: the server's list never has
 * it, so the refetch always looks changed; such a refetch gives no verdict. Scanned only when the
 * references differ (a change, or a placeholder), never on the unchanged path.
 */
function holdsPlaceholder(previous: unknown): boolean {
  return Array.isArray(previous) && previous.some(isPending)
}

/**
 * The bookkeeping of the silent detector: when the last event for each tag arrived, which
 * cache entries a poll, safety-net or focus invalidation is about to refetch (and for which
 * live topic's tags), the data each such refetch replaces, and when the data in the cache was
 * fetched. Whether the data changed is a reference check: RTK Query's structural sharing keeps
 * the old reference when a refetch returns equal data, so large lists are never compared.
 */
export class SilenceTracker {
  /** Last event per exact tag key. */
  private readonly heardExact = new Map<string, number>()
  /** Last event per tag type (any id). */
  private readonly heardType = new Map<string, number>()
  /** Entries a poll is about to refetch → the live covers behind it. */
  private readonly awaiting = new Map<string, { at: number; covers: Cover[] }>()
  /** requestId → when it started. */
  private readonly started = new Map<string, number>()
  /** queryCacheKey → start of the fetch whose data is cached. */
  private readonly fetchedSince = new Map<string, number>()
  /** requestId → what a polled refetch replaces. */
  private readonly polled = new Map<string, PolledRequest>()
  /** Source (topic and binding) → when its last event arrived. */
  private readonly sourceHeard = new Map<string, number>()
  /** Source (topic and binding) → the tag types and tag keys its events were routed to (null: too many to tell). */
  private readonly delivers = new Map<string, { types: Set<string>; keys: Set<string> | null }>()

  constructor(
    private readonly clock: Clock,
    private readonly matchers: RtkqMatchers,
  ) {}

  /** Events for the tags of `batch` (tag key → tag and receive time) arrived. */
  heard(batch: ReadonlyMap<string, { tag: FullTag; eventAt: number }>): void {
    if (batch.size === 1) {
      // One tag (one event per action is common): no per-type tally to build.
      for (const [key, { tag, eventAt }] of batch) {
        remember(this.heardExact, key, eventAt)
        remember(this.heardType, tag.type, eventAt)
      }
      return
    }
    const types = new Map<string, number>()
    for (const [key, { tag, eventAt }] of batch) {
      remember(this.heardExact, key, eventAt)
      types.set(tag.type, Math.max(types.get(tag.type) ?? eventAt, eventAt))
    }
    for (const [type, at] of types) remember(this.heardType, type, at)
  }

  /** The events of `source` (topic and binding, one per line) were routed to `tags`. */
  learn(source: string, tags: readonly FullTag[]): void {
    remember(this.sourceHeard, source, this.clock.now())
    let known = this.delivers.get(source)
    if (!known) remember(this.delivers, source, (known = { types: new Set(), keys: new Set() }))
    for (const tag of tags) {
      if (known.types.size < MAX_PER_SOURCE) known.types.add(tag.type)
      if (known.keys && known.keys.size >= MAX_PER_SOURCE) known.keys = null
      known.keys?.add(tagKey(tag))
    }
  }

  /**
   * Whether `source` may be the one that should have announced changes of `tag`: it never
   * delivered anything, or it delivered that tag (that type, for a tag without id), or too many
   * tags to tell. A source that only ever delivered other tags is not suspected.
   */
  mayDeliver(source: string, tag: FullTag): boolean {
    const known = this.delivers.get(source)
    if (known === undefined || known.types.size === 0 || known.keys === null) return true
    return tag.id === undefined ? known.types.has(tag.type) : known.keys.has(tagKey(tag))
  }

  /** When the last event of `source` (topic and binding, one per line) arrived, or -∞. */
  lastHeardFrom(source: string): number {
    return this.sourceHeard.get(source) ?? Number.NEGATIVE_INFINITY
  }

  /** The last event that invalidates `tag` (an event for the tag, or for its whole type), or -∞. */
  lastHeard(tag: FullTag): number {
    const none = Number.NEGATIVE_INFINITY
    if (tag.id === undefined) return this.heardType.get(tag.type) ?? none
    return Math.max(this.heardExact.get(tagKey(tag)) ?? none, this.heardExact.get(tag.type) ?? none)
  }

  /** A poll, safety-net or focus invalidation will refetch these entries for these covers. */
  expect(covers: ReadonlyMap<string, Cover[]>): void {
    const at = this.clock.now()
    for (const [key, list] of covers) remember(this.awaiting, key, { at, covers: list })
  }

  /**
   * Feeds RTK Query's query actions; on the fulfilment of a polled refetch whose data changed,
   * returns the covers whose tags had no event since the replaced data was fetched.
   */
  observe(action: QueryThunkAction, entryData: (key: string) => unknown): Miss[] {
    const requestId = action.meta?.requestId
    const key = action.meta?.arg?.queryCacheKey
    if (!requestId || !key) return []
    if (this.matchers.isQueryPending(action)) {
      remember(this.started, requestId, this.clock.now())
      const awaited = this.awaiting.get(key)
      // Held longer than that, the refetch that starts now is somebody else's (a mutation's, the app's own).
      const covers = awaited && this.clock.now() - awaited.at <= AWAIT_MS ? awaited.covers : undefined
      const since = this.fetchedSince.get(key)
      this.awaiting.delete(key)
      // An entry without data (its first fetch) has nothing a change could be missed against.
      if (covers && since !== undefined)
        remember(this.polled, requestId, { key, previous: entryData(key), since, covers })
      return []
    }
    const startedAt = this.started.get(requestId)
    const polled = this.polled.get(requestId)
    this.started.delete(requestId)
    this.polled.delete(requestId)
    if (!this.matchers.isQueryFulfilled(action) || startedAt === undefined) return []
    remember(this.fetchedSince, key, startedAt)
    if (!polled || entryData(key) === polled.previous || holdsPlaceholder(polled.previous)) return []
    return polled.covers
      .filter((cover) => this.lastHeard(cover.tag) < polled.since)
      .map((cover) => ({ ...cover, since: polled.since }))
  }

  /** RTK Query forgot its cache (`resetApiState`). */
  clear(): void {
    this.awaiting.clear()
    this.started.clear()
    this.fetchedSince.clear()
    this.polled.clear()
  }

  /** Forgets everything, events included (the router stopped). */
  stop(): void {
    this.clear()
    this.heardExact.clear()
    this.heardType.clear()
    this.delivers.clear()
    this.sourceHeard.clear()
  }
}
