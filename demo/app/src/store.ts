import { configureStore } from '@reduxjs/toolkit'
import { createRealtime } from 'rtk-supabase-realtime'
import { api } from './api'
import { routes } from './routes'
import { supabase } from './supabase'

/** One realtime instance for the app: one socket, one owner per channel, the canonical map. */
export const realtime = createRealtime({ client: supabase, api, routes })

export const store = configureStore({
  reducer: { [api.reducerPath]: api.reducer, [realtime.reducerPath]: realtime.reducer },
  middleware: (gDM) => gDM().concat(api.middleware, realtime.middleware),
})

realtime.start(store)

export type AppDispatch = typeof store.dispatch
