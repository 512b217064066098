import { configureStore } from '@reduxjs/toolkit'
import type { SupabaseClient } from '@supabase/supabase-js'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import { systemClock } from '../../src/env/clock'
import type { LogLevel } from '../../src/env/logger'
import type { RealtimeEvent } from '../../src/events/events'
import { recordingEnv } from '../support/harness'
import { createMswRealtimeServer, type MswRealtimeServer } from '../support/mswRealtimeServer'
import { advance, closeAll, endTest, makeClient, until, useProtocolFakeTimers } from './protocolSupport'

// Fake time keeps every test short; the real-time limit only guards against a loaded machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 })

let rt: MswRealtimeServer
let clients: SupabaseClient[]
let stops: Array<() => void>

beforeEach(() => {
  useProtocolFakeTimers()
  rt = createMswRealtimeServer()
  rt.listen() // before createClient: supabase-js captures globalThis.WebSocket at construction
  clients = []
  stops = []
})

afterEach(async () => {
  await endTest()
  for (const stop of stops) stop()
  await advance(1_000, 50)
  await closeAll(rt, clients)
})

/** The library on a real supabase-js client, subscribed to every change of `todos`. */
async function subscribedLibrary() {
  const client = makeClient(rt)
  clients.push(client)
  const logs: Array<{ level: LogLevel; line: string }> = []
  const realtime = createRealtime({ client, env: recordingEnv(systemClock, 1, logs) })
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (gDM) => gDM().concat(realtime.middleware),
  })
  stops.push(realtime.start(store))
  const received: RealtimeEvent[] = []
  realtime.subscribe({
    topic: 'todos',
    postgres: [{ event: '*', schema: 'public', table: 'todos' }],
    onMessage: (event) => received.push(event),
  })
  const state = () => realtime.selectors.selectRealtimeState(store.getState())
  await until(() => state().channels.todos?.state === 'subscribed')
  return { received, logs, state }
}

const update = (id: number, errors: unknown) => ({
  schema: 'public',
  table: 'todos',
  type: 'UPDATE' as const,
  record: { id, title: 'SECRET-TITLE' },
  old_record: { id },
  errors,
})

describe("Realtime's errors field through the real supabase-js client", () => {
  it('reaches the event when the server lists errors, and stays off it when the server says null', async () => {
    const lib = await subscribedLibrary()
    rt.sendPostgresChange('todos', update(1, ['Error 413: Payload Too Large']))
    rt.sendPostgresChange('todos', update(2, null))
    await until(() => lib.received.length === 2)
    expect(lib.received[0]).toMatchObject({
      eventType: 'UPDATE',
      new: { id: 1 },
      errors: ['Error 413: Payload Too Large'],
    })
    expect(lib.received[1]).toMatchObject({ eventType: 'UPDATE', new: { id: 2 } })
    expect('errors' in lib.received[1]!).toBe(false)
    expect(lib.state().metrics.eventsMalformed).toBe(0)
  })

  it('counts events whose errors are not a list of strings as malformed, logs that once without row data, and delivers the event behind them', async () => {
    const lib = await subscribedLibrary()
    rt.sendPostgresChange('todos', update(1, 'Error 413'))
    rt.sendPostgresChange('todos', update(2, [413]))
    rt.sendPostgresChange('todos', update(3, null))
    await until(() => lib.received.length === 1 && lib.state().metrics.eventsMalformed === 2)
    expect(lib.received[0]).toMatchObject({ new: { id: 3 } })
    expect(lib.state().metrics.errorsByType).toMatchObject({ MALFORMED_MESSAGE: 2 })
    const lines = lib.logs.filter((entry) => entry.line.includes('errors that are not a list of strings'))
    expect(lines).toHaveLength(1)
    expect(lib.logs.some((entry) => entry.line.includes('SECRET-TITLE'))).toBe(false)
  })
})
