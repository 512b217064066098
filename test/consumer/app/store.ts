import { configureStore } from '@reduxjs/toolkit'
import { createRealtime } from 'rtk-supabase-realtime'
import { api } from './api.js'
import { supabase } from './supabase.js'

export const realtime = createRealtime({ client: supabase, api })

export const store = configureStore({
  reducer: { [api.reducerPath]: api.reducer, [realtime.reducerPath]: realtime.reducer },
  middleware: (gDM) => gDM().concat(api.middleware, realtime.middleware),
})
