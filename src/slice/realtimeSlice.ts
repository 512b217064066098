import { createSlice } from '@reduxjs/toolkit'
import type { Clock } from '../env/clock'
import type { SerializableSpec } from '../subscription/spec'
import { channelReducers } from './channelReducers'
import { commandReducers } from './commandReducers'
import { connectionReducers } from './connectionReducers'
import { crossTabReducers } from './crossTabReducers'
import { freshnessReducers } from './freshnessState'
import { routerReducers } from './routerReducers'
import { replayReducers } from './replayReducers'
import { historyReducers } from './historyReducers'
import { silenceReducers } from './silenceReducers'
import { initialRealtimeState } from './state'
import { withPlainEventsReceived } from './receiveEvents'
import { trafficReducers } from './trafficReducers'

export type { RouterReport } from './routerReducers'

/**
 * Builds the slice of one realtime instance. Public commands keep their imperative names
 * (`enable`, `disable`, `recover`, `setVisibility`, `setOnline`); everything the
 * sagas report is a past-tense event stamped with the injected clock's time.
 */
export function createRealtimeSlice(reducerPath: string, enabled: boolean, clock: Clock) {
  const slice = createSlice({
    name: reducerPath,
    initialState: () => initialRealtimeState(enabled),
    reducers: {
      // ---- public commands (stamped with the injected clock by their action creators) ----
      ...commandReducers(clock),

      // ---- subscriptions (requests are handled by the registry saga) -------------------
      subscriptionRequested: {
        reducer() {},
        prepare: (payload: { id: string; spec: SerializableSpec }) => ({ payload }),
      },
      subscriptionReleased: {
        reducer() {},
        prepare: (payload: { id: string }) => ({ payload }),
      },
      ...channelReducers,
      ...replayReducers,

      // ---- connection ---------------------------------------------------------------------
      ...connectionReducers,

      // ---- traffic --------------------------------------------------------------------------
      ...trafficReducers,

      // ---- router (the InvalidationRouter reports here) -----------------------------------
      ...routerReducers,
      ...silenceReducers,
      ...historyReducers,

      // ---- cross-tab (src/crossTab/ reports here) ------------------------------------------
      ...crossTabReducers,

      // ---- freshness (the router's freshness handler and whenVisible report here) ----------
      ...freshnessReducers,
    },
  })
  // `eventsReceived` (often one event per action) is reduced without Immer.
  return {
    ...slice,
    reducer: withPlainEventsReceived(slice.reducer, slice.actions.eventsReceived.type, slice.getInitialState),
  }
}

export type RealtimeSlice = ReturnType<typeof createRealtimeSlice>
export type RealtimeActions = RealtimeSlice['actions']
