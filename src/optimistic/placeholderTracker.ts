import type { Middleware, MiddlewareAPI, UnknownAction } from '@reduxjs/toolkit'
import type { Clock } from '../env/clock'
import type { Logger } from '../env/logger'
import { rtkqMatchers } from '../rtkq/rtkqActions'
import type { RtkqApi } from '../rtkq/rtkqApi'
import { apiSliceChanged } from '../rtkq/rtkqCache'
import {
  placeholderAdded,
  placeholderConfirmed,
  placeholderRolledBack,
  type PlaceholderReceipt,
} from './placeholderActions'
import { addPlaceholderToList, confirmPlaceholder, reconcilePlaceholder, removeTracked } from './placeholderOperations'
import { dropTracked, type TrackerState, type TrackerStore } from './trackedPlaceholders'

/**
 * Keeps optimistic placeholders (added with `addPlaceholder`) in their cached lists until their
 * real rows arrive: after every fulfilled refetch a placeholder whose row is missing is put back
 * in the same dispatch (no flicker), one whose row arrived is dropped, and one past its ttl is
 * removed on the injected clock, refetch or not. A placeholder the app itself removes from the
 * cache (an optimistic delete) stays removed.
 */
export function createPlaceholderTracker({ api, clock, logger }: { api: RtkqApi; clock: Clock; logger: Logger }) {
  const state: TrackerState = { api, clock, logger, tracked: new Map(), store: null, writing: false }
  const isQueryFulfilled = rtkqMatchers(api.reducerPath).isQueryFulfilled

  const middleware: Middleware = (storeApi) => {
    state.store = storeApi as TrackerStore
    return (next) => (action) => {
      if (placeholderAdded.match(action) && action.payload.reducerPath === api.reducerPath) {
        next(action)
        addPlaceholderToList(state, action.payload)
        const receipt: PlaceholderReceipt = { placeholderTracked: action.payload.token }
        return receipt
      }
      if (placeholderConfirmed.match(action) && action.payload.reducerPath === api.reducerPath) {
        const result = next(action)
        confirmPlaceholder(state, action.payload.token, action.payload.row)
        return result
      }
      if (placeholderRolledBack.match(action) && action.payload.reducerPath === api.reducerPath) {
        const result = next(action)
        removeTracked(state, action.payload.token, 'rolled back')
        return result
      }
      if (state.tracked.size === 0 || state.writing) return next(action)
      return nextThenReconcile(state, storeApi, () => next(action), isQueryFulfilled(action as UnknownAction))
    }
  }

  return {
    middleware,
    /** Placeholders still tracked (waiting for their rows). */
    size: () => state.tracked.size,
    /** Stops tracking every placeholder (they stay in the cache until the next refetch). */
    clear() {
      for (const placeholder of [...state.tracked.values()])
        dropTracked(state, placeholder, 'forgotten (realtime stopped)')
    },
  }
}

/** Passes an action on, then reconciles every placeholder whose list it changed (`refetched`: a fulfilled query). */
function nextThenReconcile(
  state: TrackerState,
  storeApi: MiddlewareAPI,
  next: () => unknown,
  refetched: boolean,
): unknown {
  // Redux state is immutable: the state before the action can be read after it. A list can change
  // only when the api's slice does, so most actions (the realtime ones) stop at one comparison.
  const stateBefore = storeApi.getState()
  const result = next()
  const stateAfter = storeApi.getState()
  if (!apiSliceChanged(stateBefore, stateAfter, state.api)) return result
  for (const placeholder of [...state.tracked.values()]) {
    if (placeholder.select(stateAfter).data !== placeholder.select(stateBefore).data)
      reconcilePlaceholder(state, placeholder, refetched)
  }
  return result
}
