import type { PayloadAction } from '@reduxjs/toolkit'
import type { ConnectionState } from '../policy/connectionTransition'
import type { RealtimeState } from './state'
import type { At } from './stateUpdates'

/**
 * How a topic's tags are kept fresh, as the debug panel's timeline draws it: `live` (events),
 * `catching-up` (its channel is joining: the catch-up after the join repairs the gap), `polling`
 * (not live: polled on the dead-mode cadence) or `silent` (live, but a source of it was found
 * missing changes: those tags are polled).
 */
export type TopicMode = 'live' | 'catching-up' | 'polling' | 'silent'

/** One change the timeline draws: the connection's state, or a topic's mode (null: the topic went away). */
export type HistoryTransition =
  | { at: number; kind: 'connection'; state: ConnectionState }
  | { at: number; kind: 'topic'; topic: string; mode: TopicMode | null }

/** What the debug panel's timeline and sparkline draw: bounded rings, oldest first. */
export interface HistoryState {
  /** The last {@link HISTORY_KEPT} transitions. */
  transitions: HistoryTransition[]
  /** The last {@link LATENCY_KEPT} event→refetch samples, with when each was measured. */
  latency: Array<{ at: number; ms: number }>
}

/** Transitions kept (a few per minute even through a storm of faults: five minutes fit). */
export const HISTORY_KEPT = 200
/** Latency samples kept. */
export const LATENCY_KEPT = 300

export function initialHistory(): HistoryState {
  return { transitions: [], latency: [] }
}

function keep<T>(list: T[], max: number): void {
  if (list.length > max) list.splice(0, list.length - max)
}

/** Appends event→refetch samples measured at `at`. */
export function recordLatency(history: HistoryState, at: number, samples: readonly number[]): void {
  if (samples.length === 0) return
  for (const ms of samples) history.latency.push({ at, ms })
  keep(history.latency, LATENCY_KEPT)
}

/** The timeline part of the slice (`src/router/timelineRecorder.ts` reports here). Reducers never read a clock. */
export const historyReducers = {
  /** The connection's state or some topic's mode changed (only what changed is carried). */
  timelineChanged(
    state: RealtimeState,
    action: PayloadAction<{ connection?: ConnectionState; topics?: Record<string, TopicMode | null> } & At>,
  ) {
    const { at, connection, topics } = action.payload
    const transitions = state.history.transitions
    if (connection !== undefined) transitions.push({ at, kind: 'connection', state: connection })
    for (const [topic, mode] of Object.entries(topics ?? {})) transitions.push({ at, kind: 'topic', topic, mode })
    keep(transitions, HISTORY_KEPT)
  },
}
