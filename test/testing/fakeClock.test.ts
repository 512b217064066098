import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { createClient } from '@supabase/supabase-js'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createRealtime, createSeededRandom, defineRoutes } from '../../src/index'
import { FakeClock } from '../../src/testing/index'

/** What an app's own test looks like: the public entries only, time driven by the exported fake clock. */
function appUnderTest() {
  let reads = 0
  const api = createApi({
    baseQuery: fakeBaseQuery(),
    tagTypes: ['Todos'],
    endpoints: (build) => ({
      todos: build.query<number, void>({ queryFn: () => ({ data: ++reads }), providesTags: ['Todos'] }),
    }),
  })
  // Never contacted: the kill switch keeps realtime off, so only polling keeps the cache fresh.
  const supabase = createClient('http://127.0.0.1:9', 'anon-key', { realtime: { transport: WebSocket as never } })
  const clock = new FakeClock()
  const realtime = createRealtime({
    client: supabase,
    api,
    routes: defineRoutes<typeof api>()([]),
    enabled: false,
    env: { clock, random: createSeededRandom(7), logLevel: 'error' },
    crossTab: { enabled: false },
  })
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer, [realtime.reducerPath]: realtime.reducer },
    middleware: (gDM) => gDM().concat(api.middleware, realtime.middleware),
  })
  const stop = realtime.start(store)
  return { api, realtime, store, clock, stop, reads: () => reads }
}

describe('FakeClock from rtk-supabase-realtime/testing', () => {
  it('lets an app test dead-mode polling on simulated time, without sleeping', async () => {
    const app = appUnderTest()
    const query = app.store.dispatch(app.api.endpoints.todos.initiate())
    const handle = app.realtime.subscribe({ topic: 'todos', broadcast: ['changed'], tags: [{ type: 'Todos' }] })
    await app.clock.advance(0)
    expect(app.reads()).toBe(1)

    // The visible dead-mode cadence is 5 s ± 1 s: one poll (one more read) per interval.
    await app.clock.advance(6_000)
    expect(app.reads()).toBe(2)
    await app.clock.advance(12_000)
    expect(app.reads()).toBeGreaterThanOrEqual(3)

    handle.unsubscribe()
    query.unsubscribe()
    app.stop()
  })

  it('starts at a fixed time and moves only when advanced', async () => {
    const clock = new FakeClock(1_000)
    const fired: number[] = []
    clock.setTimeout(() => fired.push(clock.now()), 500)
    expect(clock.now()).toBe(1_000)
    await clock.advance(499)
    expect(fired).toEqual([])
    await clock.advance(1)
    expect(fired).toEqual([1_500])
    expect(clock.pendingTimers()).toBe(0)
  })
})
