import type { PayloadAction } from '@reduxjs/toolkit'
import type { RealtimeState } from './state'
import type { At } from './stateUpdates'

/**
 * One source of events (a binding of a topic: a table or a broadcast event) for one tag that a
 * subscription keeps fresh, once a refetch caught it missing a change. Keyed by
 * {@link silentSourceKey}.
 */
export interface SilentSourceRecord {
  topic: string
  /** The subscription tag whose query changed with no event for it. */
  tag: { type: string; id?: string | number }
  /** The suspected bindings: `schema.table` for postgres changes, `broadcast:EVENT` for a broadcast event. */
  bindings: string[]
  /** Changes found by a poll, safety-net or focus refetch with no event for the tag since the data was fetched. */
  misses: number
  /** Reached `silentAfterMisses`: the tag is polled on the dead-mode cadence until an event arrives. */
  silent: boolean
  /** When the last miss was found. */
  lastMissAt: number
  /** When the source was marked silent (null while it only counts misses). */
  silentSince: number | null
}

/** The key of one source in `state.sources`: the topic and the tag, one per line. @internal */
export function silentSourceKey(topic: string, tagKey: string): string {
  return `${topic}\n${tagKey}`
}

/** What the silent detector reports for one miss (the payload of `eventsMissed`). */
export interface EventsMissedPayload extends At {
  key: string
  topic: string
  tag: { type: string; id?: string | number }
  bindings: string[]
  /** The misses after which the source is silent (`silentAfterMisses`; 0: never). */
  threshold: number
}

/**
 * The silent detector's part of the slice (`src/router/silentDetector.ts` reports here): misses
 * counted per source, a source marked silent at the threshold, and cleared by an event from it.
 * Reducers never read a clock.
 */
export const silenceReducers = {
  /** A poll, safety-net or focus refetch found changed data with no event for the tag since it was fetched. */
  eventsMissed(state: RealtimeState, action: PayloadAction<EventsMissedPayload>) {
    const { key, topic, tag, bindings, at, threshold } = action.payload
    state.metrics.eventsMissed += 1
    const known = Object.hasOwn(state.sources, key) ? state.sources[key] : undefined
    const record = known ?? { topic, tag, bindings, misses: 0, silent: false, lastMissAt: at, silentSince: null }
    record.bindings = bindings
    record.misses += 1
    record.lastMissAt = at
    if (!record.silent && threshold > 0 && record.misses >= threshold) {
      record.silent = true
      record.silentSince = at
      state.metrics.sourcesSilenced += 1
    }
    state.sources[key] = record
  },
  /** Events for these sources arrived: they are not silent (any more). */
  sourcesHeard(state: RealtimeState, action: PayloadAction<{ keys: string[] } & At>) {
    for (const key of action.payload.keys) delete state.sources[key]
  },
}
