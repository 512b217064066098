import { configureStore } from '@reduxjs/toolkit'
import { createRealtime } from '../../src/core/createRealtime'
import { createSeededRandom } from '../../src/env/random'
import { canonicalRoutes, createCanonicalApi, FakeBackend } from '../../test/support/canonicalRoutes'
import { FakeTransport } from '../../test/support/fakeTransport'
import { insertEvent } from '../../test/support/harness'

/**
 * The whole library on real time: a scripted transport that delivers a change every 400 ms
 * and loses the socket every 12 s, a real store with a real RTK Query api, the system clock.
 */
export function createLiveScene({ eventEveryMs = 400, dropEveryMs = 12_000 } = {}) {
  const transport = new FakeTransport()
  const api = createCanonicalApi(new FakeBackend())
  const realtime = createRealtime({
    transport,
    api,
    routes: canonicalRoutes,
    env: { random: createSeededRandom(7), logLevel: 'warn' },
  })
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer, realtime: realtime.reducer },
    middleware: (gDM) => gDM().concat(api.middleware, realtime.middleware),
  })
  const stopRealtime = realtime.start(store)
  for (const project of ['1', '2']) {
    realtime.subscribe({
      topic: `project:${project}`,
      postgres: [{ event: '*', schema: 'public', table: 'generations', filter: `project_id=eq.${project}` }],
      tags: [{ type: 'UnifiedGenerations', id: `project:${project}` }],
    })
    store.dispatch(api.endpoints.projectGenerations.initiate(project))
  }
  let id = 0
  const events = setInterval(() => {
    id += 1
    const project = (id % 2) + 1
    transport.emitEvent(insertEvent(`project:${project}`, 'generations', { id, project_id: project }, Date.now()))
  }, eventEveryMs)
  const drops = setInterval(() => transport.dropSocket(), dropEveryMs)
  return {
    realtime,
    store,
    transport,
    stop() {
      clearInterval(events)
      clearInterval(drops)
      stopRealtime()
    },
  }
}

export type LiveScene = ReturnType<typeof createLiveScene>
