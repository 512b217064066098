import type { SupabaseClient } from '@supabase/supabase-js'
import type { RealtimeEnvironment } from '../env/environment'
import type { RealtimeFlags } from '../env/flags'
import type { RetryOptions } from '../policy/backoff'
import type { PollingOptions } from '../policy/pollingPolicy'
import type { ReadsOptions } from '../policy/readsPolicy'
import type { CoreTiming } from '../policy/timing'
import type { CapacityLimits, LimitsOption } from '../policy/capacity'
import type { RealtimeTransport } from '../events/port'
import { assertApiOption } from './clientOption'
import { resolveCrossTab } from './crossTabOption'
import { resolveLimits } from './limitsOption'
import { resolveLiveness } from './livenessOption'
import { fail, MAX_TIMER_MS, number, object } from './optionChecks'
import { resolvePolling } from './pollingOption'
import { resolveReads } from './readsOption'
import { assertRetryBounds, resolveRetry } from './retryOption'

/**
 * The options of `createRealtime`. Every number is in milliseconds unless named otherwise.
 * `client` is required (or, in tests, a `transport` instead); `routes` need `api`.
 */
export type RealtimeOptions<Api = unknown> = RealtimeTuning & RealtimeConnection & RealtimeApi<Api>

/** Where realtime comes from: the app's supabase-js client, or (advanced, tests) another transport. */
export type RealtimeConnection =
  | {
      /** The app's one Supabase client. */
      client: SupabaseClient
      /** Advanced: a transport instead of the supabase-js adapter (tests, other clients). */
      transport?: RealtimeTransport
    }
  | { client?: SupabaseClient; transport: RealtimeTransport }

/** The RTK Query api whose tags realtime keeps fresh, and the routes from events to its tags. */
export type RealtimeApi<Api> =
  | {
      /** The RTK Query api whose tags realtime keeps fresh. */
      api: Api
      /** The canonical map from events to tags (`defineRoutes`). */
      routes?: readonly unknown[]
    }
  | { api?: undefined; routes?: undefined }

/** Every option as the runtime reads it, all optional: what `resolveOptions` validates (not exported by the package). */
export type RealtimeOptionFields<Api = unknown> = RealtimeTuning & {
  client?: SupabaseClient
  transport?: RealtimeTransport
  api?: Api
  routes?: readonly unknown[]
}

/** The liveness probe: a heartbeat after `intervalMs` of silence, dead without a reply within `timeoutMs`. */
export interface LivenessOptions {
  intervalMs: number
  timeoutMs: number
  hiddenIntervalMs: number
}

/** The options besides `client`, `transport`, `api` and `routes`. */
export interface RealtimeTuning {
  /** Where the slice lives in the root state. Default `'realtime'`. */
  reducerPath?: string
  /** Start with realtime on (default: `REALTIME_ENABLED`, else true). */
  enabled?: boolean
  retry?: Partial<RetryOptions>
  /** A join (or socket open) without a reply for this long has failed. Default 10000. */
  joinTimeoutMs?: number
  /**
   * Liveness probe: a heartbeat after `intervalMs` of silence while visible, `hiddenIntervalMs`
   * while hidden; the connection is dead when no frame of any kind arrives within `timeoutMs`.
   * Default `{ intervalMs: 2500, timeoutMs: 3000, hiddenIntervalMs: 20000 }`: silence is noticed
   * within 5.5 s visible and 23 s hidden.
   */
  liveness?: Partial<LivenessOptions>
  /**
   * The batch window, ~ a frame. An event that arrives while no batch is open reaches the store at
   * once (no delay for the first event after a quiet period); what follows within the window
   * reaches it as one action when the window ends. Default 16.
   */
  batchMs?: number
  /** Per-tag invalidation throttle window. Default 500. */
  throttleMs?: number
  /** Polling fallback: `forceMs` (`DEADMODE_FORCE_POLLING_MS`), `healthyMs` (default 60000, 0 = off),
   * `visibleBaseMs` (5000–10000, default 5000), `hiddenBaseMs` (15000–30000, default 15000). */
  polling?: Partial<PollingOptions>
  /** Settling time before a channel is (re)created after its bindings change. Default 50. */
  rebindDebounceMs?: number
  /** A channel outlives its last subscriber by this long. Default 1000. */
  teardownGraceMs?: number
  /** Replace any part of the environment (clock, random, visibility, online, logging). */
  env?: Partial<RealtimeEnvironment>
  /** Leader election and mutation relay among the tabs of this origin (see {@link CrossTabOptions}). */
  crossTab?: CrossTabOptions
  /** Bounds on RTK Query reads (see {@link ReadsOptions}). */
  reads?: Partial<ReadsOptions>
  /**
   * The Supabase plan's Realtime limits to keep to: `'free'`, `'pro'` (default) or `'team'`, or
   * numbers over a plan. At most `channelsPerConnection` channels are open (topics beyond wait,
   * polled, until a channel closes), and joins are paced to `joinsPerSecond × joinShare`.
   *
   * @example
   * createRealtime({ client, api, routes, limits: { plan: 'free', joinShare: 0.05 } })
   */
  limits?: LimitsOption
  /**
   * The silent detector: a poll, safety-net or focus refetch of a query that a live topic covers
   * returns changed data while no event for its tag arrived since the data was fetched: a miss
   * (`eventsMissed`). After this many misses of one source (a table or broadcast event of a topic,
   * for one tag) it is silent: its tags are polled on the dead-mode cadence and `selectAlert`
   * reports `REALTIME_SILENT`, until an event of it arrives. Default 1; 0 counts misses only.
   *
   * @example
   * createRealtime({ client, api, routes, silentAfterMisses: 2 })
   */
  silentAfterMisses?: number
}

/**
 * Cross-tab coordination. The tabs of one origin elect a leader (Web Locks, else BroadcastChannel
 * heartbeats). While realtime is down the leader polls on the visible dead-mode cadence for the
 * visible tabs that announce their tags too, and relays each poll to them; those tabs poll on the
 * hidden cadence. A tab the leader does not cover polls as a lone tab. The tags a local mutation
 * invalidates are relayed to the other tabs.
 *
 * @example
 * createRealtime({ client, api, routes, crossTab: { channelName: 'my-app:realtime' } })
 */
export interface CrossTabOptions {
  /** Default true; it is off anyway where there is no BroadcastChannel (SSR, Node). */
  enabled?: boolean
  /** The BroadcastChannel (and Web Lock) name shared by the tabs. Default `rtk-supabase-realtime:<reducerPath>`. */
  channelName?: string
}

export interface ResolvedOptions {
  reducerPath: string
  enabled: boolean
  timing: CoreTiming
  throttleMs: number
  polling: PollingOptions
  crossTab: { enabled: boolean; channelName: string }
  reads: ReadsOptions
  limits: CapacityLimits
  silentAfterMisses: number
}

/**
 * Validates the options and fills in defaults. A wrong type or out-of-range value throws
 * a TypeError whose message names the option. Each group is validated in its own file
 * (`retryOption.ts`, `livenessOption.ts`, `pollingOption.ts`, …).
 */
export function resolveOptions(options: RealtimeOptionFields, flags: RealtimeFlags): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createRealtime(): options must be an object')
  const reducerPath = options.reducerPath ?? 'realtime'
  if (typeof reducerPath !== 'string' || reducerPath === '')
    fail('reducerPath', 'must be a non-empty string', reducerPath)
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean')
    fail('enabled', 'must be a boolean', options.enabled)
  const retry = resolveRetry(object('retry', options.retry))
  assertApiOption(options)
  assertRetryBounds(retry)
  const livenessIn = object('liveness', options.liveness)
  const readsIn = object('reads', options.reads)
  const pollingIn = object('polling', options.polling)
  return {
    reducerPath,
    enabled: options.enabled ?? flags.realtimeEnabled ?? true,
    timing: {
      retry,
      joinTimeoutMs: number('joinTimeoutMs', options.joinTimeoutMs, 10_000, { min: 1, max: MAX_TIMER_MS }),
      liveness: resolveLiveness(livenessIn),
      batchMs: number('batchMs', options.batchMs, 16, { max: 1_000 }),
      rebindDebounceMs: number('rebindDebounceMs', options.rebindDebounceMs, 50, { max: 60_000 }),
      teardownGraceMs: number('teardownGraceMs', options.teardownGraceMs, 1_000, { max: MAX_TIMER_MS }),
    },
    throttleMs: number('throttleMs', options.throttleMs, 500, { max: 60_000 }),
    polling: resolvePolling(pollingIn, flags.forcePollingMs),
    crossTab: resolveCrossTab(options.crossTab, reducerPath),
    reads: resolveReads(readsIn),
    limits: resolveLimits(options.limits),
    silentAfterMisses: number('silentAfterMisses', options.silentAfterMisses, 1, { integer: true, max: 1_000 }),
  }
}
