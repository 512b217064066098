import type { UnknownAction } from '@reduxjs/toolkit'
import type { Clock, TimerHandle } from '../env/clock'
import type { Logger } from '../env/logger'
import type { RtkqApi } from '../rtkq/rtkqApi'
import { updateEntry } from '../rtkq/rtkqCache'
import type { PlaceholderRecord } from './placeholderActions'

/** One placeholder the tracker keeps in its cached list. */
export interface Tracked extends PlaceholderRecord {
  select: (state: unknown) => { data?: unknown }
  /** Whether the placeholder is in the cached list as far as we know. */
  inserted: boolean
  timer: TimerHandle
  /** Set by a confirm under `versionKey`: the version the real row must reach. */
  minVersion?: { field: string; value: unknown }
  /** Set by a confirm under `versionKey`: the confirmed row's id (the placeholder keeps its own `id`). */
  rowId?: string | number
}

/** The store the tracker's middleware was added to. */
export interface TrackerStore {
  dispatch: (action: UnknownAction) => unknown
  getState: () => unknown
}

/** What every tracker operation shares: the api, the injected clock, and the placeholders tracked by token. */
export interface TrackerState {
  readonly api: RtkqApi
  readonly clock: Clock
  readonly logger: Logger
  readonly tracked: Map<string, Tracked>
  store: TrackerStore | null
  /** True while the tracker writes to the cache itself (its own writes are not reconciled). */
  writing: boolean
}

/**
 * Updates the placeholder's cached list with `recipe`, marked as the tracker's own write.
 * @internal
 */
export function writeList(state: TrackerState, placeholder: Tracked, recipe: (list: unknown[]) => void): void {
  if (!state.store) return
  state.writing = true
  try {
    state.store.dispatch(updateEntry(state.api, placeholder.endpointName, placeholder.args, recipe as never))
  } finally {
    state.writing = false
  }
}

/**
 * Stops tracking a placeholder (its ttl timer too); `why` goes to the debug log.
 * @internal
 */
export function dropTracked(state: TrackerState, placeholder: Tracked, why: string): void {
  state.clock.clearTimeout(placeholder.timer)
  state.tracked.delete(placeholder.token)
  state.logger.debug(`placeholder of ${placeholder.endpointName} ${why}`)
}

/**
 * The placeholder's cached list; undefined when nothing is cached, or (dropping the placeholder) when the data is no array.
 * @internal
 */
export function listOf(state: TrackerState, placeholder: Tracked): unknown[] | undefined {
  const data = state.store ? placeholder.select(state.store.getState()).data : undefined
  if (data === undefined || Array.isArray(data)) return data
  state.logger.once(
    `placeholder-not-a-list:${placeholder.endpointName}`,
    'warn',
    `the cached data of ${placeholder.endpointName} is no longer an array; its placeholders are dropped`,
  )
  dropTracked(state, placeholder, 'dropped: the cached data is not an array')
  return undefined
}

/**
 * Whether two placeholders target the same cache entry: the same cached data, or (nothing cached yet) equal args.
 * @internal
 */
export function sameList(state: TrackerState, a: Tracked, b: Tracked): boolean {
  const storeState = state.store?.getState()
  const dataA = a.select(storeState).data
  const dataB = b.select(storeState).data
  if (dataA !== undefined || dataB !== undefined) return dataA === dataB
  return stableJson(a.args) === stableJson(b.args)
}

/** JSON with sorted object keys, as RTK Query's default serializeQueryArgs compares arguments. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) =>
    typeof nested === 'object' && nested !== null && !Array.isArray(nested)
      ? Object.fromEntries(Object.entries(nested).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : nested,
  )
}
