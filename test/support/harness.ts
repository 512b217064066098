import { configureStore } from '@reduxjs/toolkit'
import { createRealtime, type Realtime } from '../../src/core/createRealtime'
import type { RealtimeOptions } from '../../src/core/options'
import { createSeededRandom } from '../../src/env/random'
import { constantSignal } from '../../src/env/signal'
import type { LogLevel } from '../../src/env/logger'
import { FakeClock } from './fakeClock'
import { FakeTransport } from './fakeTransport'

export interface Harness {
  realtime: Realtime
  store: ReturnType<typeof makeStore>
  clock: FakeClock
  transport: FakeTransport
  logs: Array<{ level: LogLevel; line: string }>
  stop: () => void
  state: () => ReturnType<Realtime['selectors']['selectRealtimeState']>
}

function makeStore(realtime: Realtime) {
  return configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (gDM) => gDM().concat(realtime.middleware),
  })
}

/** A realtime instance on a fake transport and a fake clock, started on a real store. */
export function createHarness(options: Partial<RealtimeOptions> = {}, { start = true, seed = 1 } = {}): Harness {
  const clock = new FakeClock()
  const transport = new FakeTransport()
  const logs: Harness['logs'] = []
  const realtime = createRealtime({
    transport,
    ...options,
    env: {
      clock,
      random: createSeededRandom(seed),
      visibility: constantSignal(true),
      online: constantSignal(true),
      logSink: (level, line) => logs.push({ level, line }),
      logLevel: 'debug',
      logSampleRate: 1,
      ...options.env,
    },
  })
  const store = makeStore(realtime)
  const stop = start ? realtime.start(store) : () => undefined
  return { realtime, store, clock, transport, logs, stop, state: () => realtime.selectors.selectRealtimeState(store.getState()) }
}
