import { prepareAutoBatched, type PayloadAction } from '@reduxjs/toolkit'
import { tagKey, type FullTag } from '../rtkq/rtkqApi'
import type { RealtimeState } from './state'
import type { At } from './stateUpdates'

/** One tag a topic's subscriptions keep fresh, with how many of them ask for it. */
export interface CoveredTag {
  type: string
  id?: string | number
  /** Subscriptions of the topic that carry this tag. */
  count: number
}

/** A topic whose catch-up refetch (after a gap, or after its first join) has not settled. */
export interface CatchUpRecord {
  /** The join (its `joinedAt`) the catch-up follows. */
  joinedAt: number
  /** When the gap began (the subscription was lost), or the join itself for a first join. */
  since: number
}

/** A `whenVisible` wait in progress: the tags covering the row it waits for. */
export interface PendingWrite {
  table: string
  tags: Array<{ type: string; id?: string | number }>
  since: number
}

/**
 * What per-query freshness is computed from (`selectFreshness`): which tags each topic's
 * subscriptions cover, which topics are catching up, when each query was last confirmed equal to
 * the server (on the injected clock), and the writes being waited for. Serializable.
 */
export interface FreshnessState {
  /** topic → tag key → the tag. */
  coverage: Record<string, Record<string, CoveredTag>>
  catchUps: Record<string, CatchUpRecord>
  /** queryCacheKey → when its data was last known equal to the server (bounded, oldest dropped first). */
  confirmedAt: Record<string, number>
  /** How many keys `confirmedAt` has. */
  confirmedCount: number
  /** whenVisible id → the write it waits for. */
  writes: Record<string, PendingWrite>
}

/** Confirmation times kept at most (one per query; the oldest go first). */
const CONFIRMED_KEPT = 2_000

export function initialFreshness(): FreshnessState {
  return { coverage: {}, catchUps: {}, confirmedAt: {}, confirmedCount: 0, writes: {} }
}

/** A subscription of `topic` keeps `tags` fresh (from `subscriberAdded`). */
export function addCoverage(freshness: FreshnessState, topic: string, tags: readonly FullTag[] = []): void {
  const topicTags = (freshness.coverage[topic] ??= {})
  for (const tag of tags) {
    const key = tagKey(tag)
    const covered = (topicTags[key] ??= { ...tag, count: 0 })
    covered.count += 1
  }
}

/** A subscription of `topic` carrying `tags` was released (from `subscriberRemoved`). */
export function removeCoverage(freshness: FreshnessState, topic: string, tags: readonly FullTag[] = []): void {
  const topicTags = freshness.coverage[topic]
  if (!topicTags) return
  for (const tag of tags) {
    const key = tagKey(tag)
    const covered = topicTags[key]
    if (!covered) continue
    covered.count -= 1
    if (covered.count <= 0) delete topicTags[key]
  }
  if (Object.keys(topicTags).length === 0) delete freshness.coverage[topic]
}

/** The freshness part of the slice: what the router's freshness handler and `whenVisible` report. */
export const freshnessReducers = {
  catchUpStarted(state: RealtimeState, action: PayloadAction<{ topic: string; joinedAt: number; since: number }>) {
    const { topic, joinedAt, since } = action.payload
    state.freshness.catchUps[topic] = { joinedAt, since }
  },
  catchUpSettled(state: RealtimeState, action: PayloadAction<{ topic: string; joinedAt: number }>) {
    const record = state.freshness.catchUps[action.payload.topic]
    if (record?.joinedAt === action.payload.joinedAt) delete state.freshness.catchUps[action.payload.topic]
  },
  queriesConfirmed(state: RealtimeState, action: PayloadAction<{ queryCacheKeys: string[] } & At>) {
    const freshness = state.freshness
    const confirmed = freshness.confirmedAt
    for (const key of action.payload.queryCacheKeys) {
      // Re-inserted, so the object's key order is oldest confirmation first.
      if (Object.hasOwn(confirmed, key)) delete confirmed[key]
      else freshness.confirmedCount += 1
      confirmed[key] = action.payload.at
    }
    // Counted, so the keys are listed only when there are too many (not on every confirmation).
    if (freshness.confirmedCount <= CONFIRMED_KEPT) return
    const keys = Object.keys(confirmed)
    for (let index = 0; index < keys.length - CONFIRMED_KEPT; index++) delete confirmed[keys[index]!]
    freshness.confirmedCount = Math.min(keys.length, CONFIRMED_KEPT)
  },
  // Dispatched inside other dispatches: batched, so they never notify subscribers ahead of them.
  writeAwaited: {
    reducer(state: RealtimeState, action: PayloadAction<{ id: string; table: string; tags: FullTag[] } & At>) {
      const { id, table, tags, at } = action.payload
      state.freshness.writes[id] = { table, tags, since: at }
    },
    prepare: prepareAutoBatched<{ id: string; table: string; tags: FullTag[] } & At>(),
  },
  writeSettled: {
    reducer(state: RealtimeState, action: PayloadAction<{ id: string }>) {
      delete state.freshness.writes[action.payload.id]
    },
    prepare: prepareAutoBatched<{ id: string }>(),
  },
}
