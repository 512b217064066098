import { configureStore } from '@reduxjs/toolkit'
import type { SupabaseClient } from '@supabase/supabase-js'
import { describe, expectTypeOf, it } from 'vitest'
import { createRealtime, type ConnectionState } from '../../src/index'
import { createCanonicalApi } from '../support/canonicalRoutes'
import { FakeTransport } from '../support/fakeTransport'

describe('createRealtime types', () => {
  it('types the root state when the slice is added under realtime.reducerPath, as the README writes it', () => {
    const api = createCanonicalApi()
    const realtime = createRealtime({ transport: new FakeTransport(), api })
    expectTypeOf(realtime.reducerPath).toEqualTypeOf<'realtime'>()
    const store = configureStore({
      reducer: { [api.reducerPath]: api.reducer, [realtime.reducerPath]: realtime.reducer },
      middleware: (gDM) => gDM().concat(api.middleware, realtime.middleware),
    })
    expectTypeOf(store.getState().realtime.connection).toEqualTypeOf<ConnectionState>()
  })

  it('keeps a custom reducerPath as a literal type', () => {
    const realtime = createRealtime({ transport: new FakeTransport(), reducerPath: 'live' })
    expectTypeOf(realtime.reducerPath).toEqualTypeOf<'live'>()
    const store = configureStore({ reducer: { [realtime.reducerPath]: realtime.reducer } })
    expectTypeOf(store.getState().live.channels).toBeObject()
  })

  it('requires a client (or a transport) and an api for routes, as the runtime does', () => {
    const api = createCanonicalApi()
    const client = {} as SupabaseClient
    // @ts-expect-error: no client
    createRealtime({ api, routes: [] })
    // @ts-expect-error: routes without the api whose tags they name
    createRealtime({ client, routes: [] })
    expectTypeOf(createRealtime({ client, api, routes: [] }).reducerPath).toEqualTypeOf<'realtime'>()
    expectTypeOf(createRealtime({ client }).reducerPath).toEqualTypeOf<'realtime'>()
  })
})
