import { configureStore, type Middleware, type Reducer, type UnknownAction } from '@reduxjs/toolkit'
import { createRealtime, type Realtime } from '../../src/core/createRealtime'
import type { RealtimeOptions } from '../../src/core/options'
import type { Clock } from '../../src/env/clock'
import type { RealtimeEnvironment } from '../../src/env/environment'
import { RealtimeError } from '../../src/errors/realtimeError'
import { createSeededRandom } from '../../src/env/random'
import { constantSignal, type SignalSource } from '../../src/env/signal'
import type { LogLevel } from '../../src/env/logger'
import type { SubscriptionSpec } from '../../src/subscription/spec'
import type { PostgresChangesEvent } from '../../src/events/events'
import { FakeClock } from './fakeClock'
import { FakeTransport } from './fakeTransport'

export interface Harness {
  realtime: Realtime
  store: ReturnType<typeof makeStore>
  clock: FakeClock
  transport: FakeTransport
  logs: Array<{ level: LogLevel; line: string }>
  /** Every action that went through the store, in order. */
  actions: UnknownAction[]
  /** Each value `connection` took, in order (consecutive repeats collapsed), starting with the initial one. */
  connectionHistory: string[]
  stop: () => void
  /** Log lines of sagas that crashed and were restarted by the supervisor. */
  crashes: () => string[]
  /** Set by a test that makes a saga crash on purpose; `finishHarness` checks for crashes otherwise. */
  allowCrashes: boolean
  state: () => ReturnType<Realtime['selectors']['selectRealtimeState']>
  /** The connection state right after each recorded action made by `creator`. */
  connectionAfterEach: (creator: { match: (action: unknown) => boolean }) => string[]
  /** Payloads of the recorded actions made by `creator` (e.g. `realtime.events.reconnectScheduled`). */
  payloadsOf: <P>(creator: { type: string; match: (action: unknown) => action is { type: string; payload: P } }) => P[]
}

/** The parts of an RTK Query api (`createApi`) that a store needs. */
interface StoreApi {
  reducerPath: string
  reducer: Reducer
  middleware: Middleware
}

function isStoreApi(api: unknown): api is StoreApi {
  const candidate = api as Partial<StoreApi> | null | undefined
  return (
    typeof candidate?.reducerPath === 'string' &&
    typeof candidate.reducer === 'function' &&
    typeof candidate.middleware === 'function'
  )
}

/** With an RTK Query api in the options (`createHarness({ api, routes })`), its reducer and middleware join the store. */
function makeStore(
  realtime: Realtime,
  recorder: Middleware = () => (next) => (action) => next(action),
  api?: StoreApi,
) {
  const reducer: Record<string, Reducer> = { [realtime.reducerPath]: realtime.reducer }
  if (api) reducer[api.reducerPath] = api.reducer
  return configureStore({
    reducer,
    middleware: (gDM) => gDM().concat(...(api ? [api.middleware] : []), recorder, realtime.middleware),
  })
}

/** A visibility or online signal that a test flips with `set`. */
export interface ControllableSignal extends SignalSource {
  set(value: boolean): void
  listenerCount(): number
}

export function controllableSignal(initial: boolean): ControllableSignal {
  let value = initial
  const listeners = new Set<(value: boolean) => void>()
  return {
    current: () => value,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(next) {
      if (next === value) return
      value = next
      for (const listener of [...listeners]) listener(next)
    },
    listenerCount: () => listeners.size,
  }
}

/**
 * The environment every library test runs in: the given clock, a seeded random, always visible
 * and online, and every log line recorded into `logs` (no sampling).
 */
export function recordingEnv(
  clock: Clock,
  seed: number,
  logs: Array<{ level: LogLevel; line: string }>,
): RealtimeEnvironment {
  return {
    clock,
    random: createSeededRandom(seed),
    visibility: constantSignal(true),
    online: constantSignal(true),
    logSink: (level, line) => logs.push({ level, line }),
    logLevel: 'debug',
    logSampleRate: 1,
    // No cross-tab: browser tests share one origin, and their stores must not elect each other.
    locks: null,
    broadcastChannel: null,
  }
}

/**
 * A started harness whose joins are refused as unauthorized until `accept()`: after 100 ms the
 * connection is `failed` (refused again after the token refresh).
 */
export async function failedByAuth(topic = 'project:1'): Promise<{ harness: Harness; accept: () => void }> {
  const harness = createHarness()
  let accepted = false
  harness.transport.joinReply = () => (accepted ? 'ok' : new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized'))
  harness.realtime.subscribe(tableSpec(topic))
  await harness.clock.advance(100)
  return { harness, accept: () => (accepted = true) }
}

/** A realtime instance on a fake transport and a fake clock, started on a real store. */
export function createHarness(
  options: Partial<RealtimeOptions> = {},
  {
    start = true,
    seed = 1,
    transport = new FakeTransport(),
    clock = new FakeClock(),
  }: { start?: boolean; seed?: number; transport?: FakeTransport; clock?: FakeClock } = {},
): Harness {
  const logs: Harness['logs'] = []
  const actions: UnknownAction[] = []
  transport.now = clock.now
  const realtime = createRealtime({
    transport,
    ...options,
    env: { ...recordingEnv(clock, seed, logs), ...options.env },
  } as RealtimeOptions)
  const connectionAfter = new WeakMap<object, string>()
  const recorder: Middleware = (api) => (next) => (action) => {
    actions.push(action as UnknownAction)
    const result = next(action)
    connectionAfter.set(action as object, realtime.selectors.selectConnectionState(api.getState()))
    return result
  }
  const store = makeStore(realtime, recorder, isStoreApi(options.api) ? options.api : undefined)
  const state = () => realtime.selectors.selectRealtimeState(store.getState())
  const connectionHistory: string[] = [state().connection]
  store.subscribe(() => {
    const connection = state().connection
    if (connectionHistory[connectionHistory.length - 1] !== connection) connectionHistory.push(connection)
  })
  const stop = start ? realtime.start(store) : () => undefined
  const payloadsOf: Harness['payloadsOf'] = <P>(creator: {
    match: (action: unknown) => action is { type: string; payload: P }
  }) => actions.filter((action) => creator.match(action)).map((action) => (action as unknown as { payload: P }).payload)
  const connectionAfterEach: Harness['connectionAfterEach'] = (creator) =>
    actions.filter((action) => creator.match(action)).map((action) => connectionAfter.get(action) ?? '?')
  const crashes = () =>
    logs.filter((log) => log.level === 'error' && / crashed and restarts /.test(log.line)).map((log) => log.line)
  return {
    realtime,
    store,
    clock,
    transport,
    logs,
    actions,
    connectionHistory,
    stop,
    crashes,
    allowCrashes: false,
    state,
    payloadsOf,
    connectionAfterEach,
  }
}

/** For `afterEach`: stops the harness, and fails the test if a saga crashed without the test asking for it. */
export function finishHarness(harness: Harness | undefined): void {
  if (!harness) return
  harness.stop()
  if (!harness.allowCrashes && harness.crashes().length > 0)
    throw new Error(`a saga crashed: ${harness.crashes().join('; ')}`)
}

/** A spec listening to every change of one table (the shape most tests need). */
export function tableSpec(
  topic: string,
  table = 'generations',
  extra: Partial<SubscriptionSpec> = {},
): SubscriptionSpec {
  return {
    topic,
    postgres: [{ event: '*', schema: 'public', table }],
    tags: [{ type: 'UnifiedGenerations', id: topic }],
    ...extra,
  }
}

/** An INSERT on `table` as the transport would deliver it. */
export function insertEvent(
  topic: string,
  table: string,
  row: Record<string, unknown>,
  receivedAt: number,
): PostgresChangesEvent {
  return {
    kind: 'postgres_changes',
    topic,
    receivedAt,
    schema: 'public',
    table,
    eventType: 'INSERT',
    commitTimestamp: null,
    new: row,
    old: null,
  }
}

/** Fails when a topic has two channels in the transport at once. */
export function expectNoDuplicateChannels(transport: FakeTransport): void {
  const topics = transport.channelTopics()
  const duplicated = topics.filter((topic, index) => topics.indexOf(topic) !== index)
  if (duplicated.length > 0)
    throw new Error(`two channels for one topic: ${duplicated.join(', ')} (channels: ${topics.join(', ')})`)
}
