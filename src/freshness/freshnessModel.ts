import type { FullTag } from '../rtkq/rtkqApi'
import { isTagSilent, topicsNotLive } from '../router/topicLiveness'
import { silentSourceKey } from '../slice/silenceReducers'
import { sameTagId, tagKey } from '../router/tags'
import type { CoveredTag, PendingWrite } from '../slice/freshnessState'
import type { RealtimeState } from '../slice/state'

/**
 * How a query is kept fresh, weakest last: `live` (a subscribed, verified topic covers it),
 * `catching-up` (its topic rejoined and the catch-up refetch has not settled), `polling` (only
 * the dead-mode poll covers it), `unmanaged` (no subscription's `tags` cover it).
 */
export type FreshnessMode = 'live' | 'catching-up' | 'polling' | 'unmanaged'

/**
 * How fresh one cached query is (`selectFreshness`, `useFreshness`). Times are on the injected
 * clock (epoch ms with the system clock).
 *
 * @example
 * const { mode, lastConfirmedAt } = realtime.selectors.selectFreshness('getTodos', { listId })(store.getState())
 */
export interface Freshness {
  /** The weakest of the modes of the topics whose subscription `tags` cover the query's tags. */
  mode: FreshnessMode
  /**
   * When the data was last known equal to the server: its last fulfilled fetch, or the last
   * realtime event routed to its tags, whichever is later; null before the first.
   */
  lastConfirmedAt: number | null
  /**
   * When the query stopped being live: the start of the gap of its weakest covering topic
   * (`catching-up`, `polling`), or its last confirmation when no subscription covers it
   * (`unmanaged`); null while live.
   */
  staleSince: number | null
  /** `whenVisible` waits in progress for rows this query covers. */
  pendingWrites: number
  /** The dead-mode poll cadence while `polling` (ms); null in every other mode. */
  pollIntervalMs: number | null
}

/** What one query's freshness is computed from (each piece a stable reference until it changes). @internal */
export interface FreshnessInputs {
  realtime: RealtimeState
  providedTags: readonly FullTag[]
  confirmedAt: number | undefined
}

/** Whether invalidating `covering` (a subscription's tag) would refetch a query providing `provided` (RTK Query's rule). */
function covers(covering: Pick<CoveredTag, 'type' | 'id'>, provided: FullTag): boolean {
  if (covering.type !== provided.type) return false
  return covering.id === undefined || (provided.id !== undefined && sameTagId(covering.id, provided.id))
}

/** Whether any of `covering` covers any of `provided`. @internal */
export function coversAny(covering: Iterable<Pick<CoveredTag, 'type' | 'id'>>, provided: readonly FullTag[]): boolean {
  for (const tag of covering) for (const own of provided) if (covers(tag, own)) return true
  return false
}

const RANK: Record<Exclude<FreshnessMode, 'unmanaged'>, number> = { polling: 0, 'catching-up': 1, live: 2 }

interface TopicMode {
  mode: Exclude<FreshnessMode, 'unmanaged'>
  since: number | null
}

/** When a covering tag of `topic` that covers the query was found silent (its source polled), else null. */
function silentSince(realtime: RealtimeState, topic: string, covering: CoveredTag[], provided: readonly FullTag[]) {
  for (const tag of covering) {
    if (!coversAny([tag], provided)) continue
    const key = tagKey(tag.id === undefined ? { type: tag.type } : { type: tag.type, id: tag.id })
    if (isTagSilent(realtime, topic, key)) return realtime.sources[silentSourceKey(topic, key)]?.silentSince ?? null
  }
  return undefined
}

/**
 * One covering topic's mode, by the liveness rule the polling follows: the topic not live
 * (`topicsNotLive`), or a tag of it that covers the query found silent, is polling.
 */
function topicMode(realtime: RealtimeState, topic: string, covering: CoveredTag[], provided: readonly FullTag[]) {
  const channel = Object.hasOwn(realtime.channels, topic) ? realtime.channels[topic] : undefined
  if (topicsNotLive(realtime, [topic]).size > 0)
    return { mode: 'polling', since: channel?.lostAt ?? realtime.connectionSince } satisfies TopicMode
  const silent = silentSince(realtime, topic, covering, provided)
  if (silent !== undefined) return { mode: 'polling', since: silent } satisfies TopicMode
  const catchUp = Object.hasOwn(realtime.freshness.catchUps, topic) ? realtime.freshness.catchUps[topic] : undefined
  // A record of an earlier join (its settle not seen) does not hold the current one back.
  if (catchUp && catchUp.joinedAt === channel?.joinedAt)
    return { mode: 'catching-up', since: catchUp.since } satisfies TopicMode
  return { mode: 'live', since: null } satisfies TopicMode
}

function weakestCoveringTopic(realtime: RealtimeState, provided: readonly FullTag[]): TopicMode | null {
  let weakest: TopicMode | null = null
  for (const [topic, tags] of Object.entries(realtime.freshness.coverage)) {
    const covering = Object.values(tags)
    if (!coversAny(covering, provided)) continue
    const mode: TopicMode = topicMode(realtime, topic, covering, provided)
    const weaker = weakest === null || RANK[mode.mode] < RANK[weakest.mode]
    const earlier =
      weakest !== null && RANK[mode.mode] === RANK[weakest.mode] && (mode.since ?? 0) < (weakest.since ?? 0)
    if (weaker || earlier) weakest = mode
  }
  return weakest
}

function pendingWritesOf(writes: Record<string, PendingWrite>, provided: readonly FullTag[]): number {
  let count = 0
  for (const write of Object.values(writes)) if (coversAny(write.tags, provided)) count += 1
  return count
}

/**
 * One query's freshness. O(topics × tags): it reads only the slice and the query's own provided
 * tags, never the other queries.
 * @internal
 */
export function computeFreshness({ realtime, providedTags, confirmedAt }: FreshnessInputs): Freshness {
  const lastConfirmedAt = confirmedAt ?? null
  const pendingWrites = pendingWritesOf(realtime.freshness.writes, providedTags)
  const weakest = providedTags.length === 0 ? null : weakestCoveringTopic(realtime, providedTags)
  if (weakest === null)
    return { mode: 'unmanaged', lastConfirmedAt, staleSince: lastConfirmedAt, pendingWrites, pollIntervalMs: null }
  return {
    mode: weakest.mode,
    lastConfirmedAt,
    staleSince: weakest.mode === 'live' ? null : (weakest.since ?? lastConfirmedAt),
    pendingWrites,
    pollIntervalMs: weakest.mode === 'polling' ? realtime.metrics.pollIntervalMs : null,
  }
}
