import { createCapacity } from '../sagas/capacity'
import type { ActionCreatorWithPreparedPayload, Middleware, Reducer } from '@reduxjs/toolkit'
import createSagaMiddleware, { channel, type SagaIterator } from 'redux-saga'
import { createSystemEnvironment, type RealtimeEnvironment } from '../env/environment'
import { readEnvironmentFlags } from '../env/flags'
import { createLogger, type Logger } from '../env/logger'
import type { SagaRegistry } from '../sagas/context'
import { createRealtimeSlice, type RealtimeActions } from '../slice/realtimeSlice'
import { createRealtimeSelectors, type RealtimeSelectors } from '../slice/selectors'
import type { RealtimeState } from '../slice/state'
import type { SubscriptionHandle, SubscriptionSpec } from '../subscription/spec'
import type { BroadcastResult, RealtimeTransport } from '../events/port'
import { createSupabaseTransport } from '../transport/supabaseTransport'
import { createSelectFreshness, type SelectFreshness } from '../freshness/selectFreshness'
import type { WhenVisible } from '../freshness/whenVisibleOptions'
import { createBroadcast } from './broadcast'
import { reportClient } from './clientRegistry'
import { createSagaRunner } from './sagaRunner'
import { realtimeMiddleware, type StoreBinding } from './storeBinding'
import { createStart, type RealtimeStore } from './startOnStore'
import { createSubscribe } from './subscribe'
import { wireRouting } from './wireRouting'
import { assertSupabaseClient } from './clientOption'
import { resolveOptions, type RealtimeOptionFields, type RealtimeOptions, type ResolvedOptions } from './options'

/** An action creator of a command; its action carries the injected clock's time in `meta.at`. */
export type RealtimeCommand<Args extends unknown[], Payload> = ActionCreatorWithPreparedPayload<
  Args,
  Payload,
  string,
  never,
  { at: number }
>

/** The commands an app dispatches: `store.dispatch(realtime.actions.recover())`. */
export interface RealtimeCommands {
  /** Turns realtime back on after `disable()`. */
  enable: RealtimeCommand<[], undefined>
  /** The kill switch: tears down every channel and the socket; polling takes over. */
  disable: RealtimeCommand<[], undefined>
  /** "Recover now": resets backoff, recreates every channel, invalidates every active tag. */
  recover: RealtimeCommand<[], undefined>
  /** For hosts without `document` (React Native AppState, tests). */
  setVisibility: RealtimeCommand<[visible: boolean], boolean>
  /** For hosts without `navigator.onLine`. */
  setOnline: RealtimeCommand<[online: boolean], boolean>
}

/** One realtime instance: add `reducer` and `middleware` to the store, then `start(store)`. */
export interface Realtime<ReducerPath extends string = string> {
  /** Where the slice lives in the root state; a literal type, so `{ [realtime.reducerPath]: realtime.reducer }` types the state. */
  readonly reducerPath: ReducerPath
  readonly reducer: Reducer<RealtimeState>
  readonly middleware: Middleware
  /** Runs the root saga on a store built with `middleware`; returns `stop()`. */
  start(store: RealtimeStore): () => void
  /** The root saga, for apps that run it from their own saga middleware instead of `start`. */
  readonly saga: () => SagaIterator<void>
  /** Keeps a topic subscribed until the handle's `unsubscribe()` (ref-counted by topic). */
  subscribe(spec: SubscriptionSpec): SubscriptionHandle
  /**
   * Read-your-writes: resolves `'visible'` once the written row (that key, at least that version)
   * is in a cached query, by realtime or by a refetch; after `timeoutMs` (default 10 s) the
   * covering tags are invalidated and it resolves `'timed-out'`; `stop()` resolves waits in
   * progress with `'stopped'`. Needs `createRealtime({ api })`.
   */
  whenVisible: WhenVisible
  /** Sends a broadcast on a subscribed topic. Never rejects. */
  broadcast(topic: string, event: string, payload: unknown): Promise<BroadcastResult>
  readonly actions: RealtimeCommands
  /**
   * Every action creator of the slice, including the past-tense events the sagas report.
   * @internal Not part of the public API: the events may change in any release.
   */
  readonly events: RealtimeActions
  /**
   * The selectors of this instance, `selectFreshness(endpointName, args)` among them (it reads the
   * api's cache too).
   */
  readonly selectors: RealtimeSelectors & { selectFreshness: SelectFreshness }
  /**
   * The resolved options, for the router and the React bindings.
   * @internal Not part of the public API.
   */
  readonly options: ResolvedOptions
  readonly env: RealtimeEnvironment
}

function resolveTransport(options: RealtimeOptionFields, env: RealtimeEnvironment): RealtimeTransport {
  if (options.transport) return options.transport
  assertSupabaseClient(options.client)
  return createSupabaseTransport(options.client, env.clock)
}

/**
 * Creates the realtime layer of one app: one socket, one owner per channel, and the slice
 * that records what they do.
 *
 * @example
 * export const realtime = createRealtime({ client: supabase, api, routes })
 * const store = configureStore({
 *   reducer: { [api.reducerPath]: api.reducer, [realtime.reducerPath]: realtime.reducer },
 *   middleware: (gDM) => gDM().concat(api.middleware, realtime.middleware),
 * })
 * realtime.start(store)
 */
export function createRealtime<Api, ReducerPath extends string = 'realtime'>(
  options: RealtimeOptions<Api> & { reducerPath?: ReducerPath },
): Realtime<ReducerPath> {
  const resolved = resolveOptions(options, readEnvironmentFlags())
  const env = createSystemEnvironment(options.env)
  const logger: Logger = createLogger({
    tag: '[RealtimeCore]',
    sink: env.logSink,
    level: env.logLevel,
    sampleRate: env.logSampleRate,
    random: env.random,
  })
  const transport = resolveTransport(options, env)
  reportClient(transport.clientKey, logger)

  const slice = createRealtimeSlice(resolved.reducerPath, resolved.enabled, env.clock)
  const actions = slice.actions
  const selectors = createRealtimeSelectors(resolved.reducerPath)
  const registry: SagaRegistry = {
    requests: new Map(),
    callbacks: new Map(),
    liveChannels: new Map(),
    pendingEvents: [],
    batchOpen: false,
  }
  const apiReducerPath = options.api === undefined ? null : (options.api as { reducerPath: string }).reducerPath
  const ctx = {
    transport,
    actions,
    selectors,
    timing: resolved.timing,
    env,
    logger,
    registry,
    batchSignal: channel<true>(),
    apiReducerPath,
    capacity: createCapacity(resolved.limits),
  }
  const routing = wireRouting({ options, resolved, env, logger, actions, selectors, registry })
  const sagaMiddleware = createSagaMiddleware()
  const binding: StoreBinding = { dispatch: null }
  const runner = createSagaRunner(ctx)

  return {
    reducerPath: resolved.reducerPath as ReducerPath,
    reducer: slice.reducer,
    middleware: realtimeMiddleware(binding, sagaMiddleware, routing.router, routing.crossTab),
    saga: runner.saga,
    actions: {
      enable: actions.enable,
      disable: actions.disable,
      recover: actions.recover,
      setVisibility: actions.setVisibility,
      setOnline: actions.setOnline,
    },
    events: actions,
    selectors: {
      ...selectors,
      selectFreshness: createSelectFreshness(
        selectors.selectRealtimeState,
        options.api === undefined ? null : (options.api as { reducerPath: string }),
      ),
    },
    options: resolved,
    env,
    start: createStart({ binding, sagaMiddleware, runner, routing, selectors, actions, clock: env.clock }),
    subscribe: createSubscribe(registry, actions, binding),
    broadcast: createBroadcast(registry, actions, binding, { env, logger }),
    whenVisible: (whenVisibleOptions) => {
      if (!routing.router)
        throw new Error('[RealtimeCore] whenVisible() needs the RTK Query api: pass it to createRealtime({ api })')
      return routing.router.whenVisible(whenVisibleOptions)
    },
  }
}
