import type { PayloadAction } from '@reduxjs/toolkit'
import type { Clock } from '../env/clock'
import type { RealtimeState } from './state'
import { applyConnection, closeAllChannels } from './stateUpdates'

type StampedAction<P = undefined> = PayloadAction<P, string, { at: number }>

/**
 * The public commands of the slice. They keep their imperative names (`enable`, `disable`,
 * `recover`, `setVisibility`, `setOnline`); their action creators stamp `meta.at` with the
 * injected clock's time, so the reducers never read a clock.
 */
export function commandReducers(clock: Clock) {
  const stamped = <P>(payload: P) => ({ payload, meta: { at: clock.now() } })
  return {
    /** Turns realtime back on after `disable()` (the kill switch). */
    enable: {
      reducer(state: RealtimeState, action: StampedAction) {
        applyConnection(state, { type: 'enabled' }, action.meta.at)
      },
      prepare: () => stamped(undefined),
    },
    /** The kill switch: tears down every channel and the socket; polling takes over. */
    disable: {
      reducer(state: RealtimeState, action: StampedAction) {
        applyConnection(state, { type: 'disabled' }, action.meta.at)
        closeAllChannels(state, action.meta.at)
        state.attempt = 0
        state.nextRetryAt = null
        // Closed on purpose, as when idling: the next connection is not a reconnection.
        state.metrics.disconnectedAt = null
      },
      prepare: () => stamped(undefined),
    },
    /** "Recover now": resets backoff and recreates every channel. */
    recover: {
      reducer(state: RealtimeState, action: StampedAction) {
        applyConnection(state, { type: 'recoverRequested' }, action.meta.at)
        state.attempt = 0
        state.nextRetryAt = null
      },
      prepare: () => stamped(undefined),
    },
    /** For hosts without `document` (React Native AppState, tests). */
    setVisibility: {
      reducer(state: RealtimeState, action: StampedAction<boolean>) {
        state.visible = action.payload
      },
      prepare: (visible: boolean) => stamped(visible),
    },
    /** For hosts without `navigator.onLine`. */
    setOnline: {
      reducer(state: RealtimeState, action: StampedAction<boolean>) {
        state.online = action.payload
      },
      prepare: (online: boolean) => stamped(online),
    },
  }
}
