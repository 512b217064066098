import type { SupabaseClient } from '@supabase/supabase-js'
import type { RealtimeEnvironment } from '../env/environment'
import type { RealtimeFlags } from '../env/flags'
import { DEFAULT_RETRY, type RetryOptions } from '../policy/backoff'
import { DEFAULT_POLLING, type PollingOptions } from '../policy/pollingPolicy'
import { DEFAULT_READS, type ReadsOptions } from '../policy/readsPolicy'
import { isRtkqApi } from '../rtkq/rtkqApi'
import type { CoreTiming } from '../policy/timing'
import type { CapacityLimits, LimitsOption } from '../policy/capacity'
import { resolveLimits } from './limitsOption'
import type { RealtimeTransport } from '../events/port'

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

/** Longest channel name accepted. */
const MAX_CHANNEL_NAME_LENGTH = 256

function resolveCrossTab(value: unknown, reducerPath: string): ResolvedOptions['crossTab'] {
  const input = object('crossTab', value)
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
    fail('crossTab.enabled', 'must be a boolean', input.enabled)
  const channelName = input.channelName ?? `rtk-supabase-realtime:${reducerPath}`
  if (typeof channelName !== 'string' || channelName === '' || channelName.length > MAX_CHANNEL_NAME_LENGTH) {
    fail(
      'crossTab.channelName',
      `must be a non-empty string of at most ${MAX_CHANNEL_NAME_LENGTH} characters`,
      channelName,
    )
  }
  return { enabled: input.enabled ?? true, channelName }
}

function fail(name: string, problem: string, value: unknown): never {
  let shown: string
  try {
    shown = JSON.stringify(value) ?? String(value)
  } catch {
    shown = String(value)
  }
  throw new TypeError(`createRealtime(): ${name} ${problem}, got ${shown}`)
}

function number(
  name: string,
  value: unknown,
  fallback: number,
  { min = 0, integer = false, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, 'must be a finite number', value)
  if (integer && !Number.isInteger(value)) fail(name, 'must be an integer', value)
  if (value < min) fail(name, `must be at least ${min}`, value)
  if (value > max) fail(name, `must be at most ${max}`, value)
  return value
}

function object(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(name, 'must be an object', value)
  return value as Record<string, unknown>
}

/** Longest timer a host accepts. */
const MAX_TIMER_MS = 2_147_483_647

/** Liveness defaults: 2.5 s + 3 s ≤ 6 s visible; 20 s + 3 s ≤ 30 s hidden, on timers a throttled tab still fires (≥ 1 s). */
const DEFAULT_LIVENESS: Readonly<CoreTiming['liveness']> = Object.freeze({
  intervalMs: 2_500,
  timeoutMs: 3_000,
  hiddenIntervalMs: 20_000,
})

function resolveLiveness(input: Record<string, unknown>): CoreTiming['liveness'] {
  const intervalMs = number('liveness.intervalMs', input.intervalMs, DEFAULT_LIVENESS.intervalMs, {
    min: 1,
    max: MAX_TIMER_MS,
  })
  const timeoutMs = number('liveness.timeoutMs', input.timeoutMs, DEFAULT_LIVENESS.timeoutMs, {
    min: 1,
    max: MAX_TIMER_MS,
  })
  // A hidden tab never probes more often than a visible one.
  const hiddenIntervalMs = number(
    'liveness.hiddenIntervalMs',
    input.hiddenIntervalMs,
    Math.max(DEFAULT_LIVENESS.hiddenIntervalMs, intervalMs),
    { min: 1, max: MAX_TIMER_MS },
  )
  if (hiddenIntervalMs < intervalMs)
    fail('liveness.hiddenIntervalMs', `must be at least liveness.intervalMs (${intervalMs})`, hiddenIntervalMs)
  return { intervalMs, timeoutMs, hiddenIntervalMs }
}

/**
 * Validates the options and fills in defaults. A wrong type or out-of-range value throws
 * a TypeError whose message names the option.
 */
export function resolveOptions(options: RealtimeOptionFields, flags: RealtimeFlags): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createRealtime(): options must be an object')
  const reducerPath = options.reducerPath ?? 'realtime'
  if (typeof reducerPath !== 'string' || reducerPath === '')
    fail('reducerPath', 'must be a non-empty string', reducerPath)
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean')
    fail('enabled', 'must be a boolean', options.enabled)
  const retryIn = object('retry', options.retry)
  const retry: RetryOptions = {
    maxRetries: number('retry.maxRetries', retryIn.maxRetries, DEFAULT_RETRY.maxRetries, { integer: true }),
    baseDelay: number('retry.baseDelay', retryIn.baseDelay, DEFAULT_RETRY.baseDelay, { max: MAX_TIMER_MS }),
    maxDelay: number('retry.maxDelay', retryIn.maxDelay, DEFAULT_RETRY.maxDelay, { max: MAX_TIMER_MS }),
    backoffMultiplier: number('retry.backoffMultiplier', retryIn.backoffMultiplier, DEFAULT_RETRY.backoffMultiplier, {
      min: 1,
    }),
    suspendedRetryMs: number('retry.suspendedRetryMs', retryIn.suspendedRetryMs, DEFAULT_RETRY.suspendedRetryMs, {
      min: 1,
      max: MAX_TIMER_MS / 1.5,
    }),
  }
  if (options.routes !== undefined && options.api === undefined) {
    throw new TypeError('createRealtime(): routes need api (the RTK Query api whose tags they name)')
  }
  if (options.api !== undefined) assertRtkQueryApi(options.api)
  if (retry.maxDelay < retry.baseDelay)
    fail('retry.maxDelay', `must be at least retry.baseDelay (${retry.baseDelay})`, retry.maxDelay)
  const livenessIn = object('liveness', options.liveness)
  const readsIn = object('reads', options.reads)
  const pollingIn = object('polling', options.polling)
  const forceMs = pollingIn.forceMs ?? flags.forcePollingMs
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
    polling: {
      forceMs: forceMs === undefined ? null : number('polling.forceMs', forceMs, 0, { min: 1, max: MAX_TIMER_MS }),
      healthyMs: number('polling.healthyMs', pollingIn.healthyMs, DEFAULT_POLLING.healthyMs, { max: MAX_TIMER_MS }),
      visibleBaseMs: number('polling.visibleBaseMs', pollingIn.visibleBaseMs, DEFAULT_POLLING.visibleBaseMs, {
        min: 5_000,
        max: 10_000,
      }),
      hiddenBaseMs: number('polling.hiddenBaseMs', pollingIn.hiddenBaseMs, DEFAULT_POLLING.hiddenBaseMs, {
        min: 15_000,
        max: 30_000,
      }),
    },
    crossTab: resolveCrossTab(options.crossTab, reducerPath),
    reads: {
      timeoutMs: number('reads.timeoutMs', readsIn.timeoutMs, DEFAULT_READS.timeoutMs, { max: MAX_TIMER_MS }),
      maxHoldMs: number('reads.maxHoldMs', readsIn.maxHoldMs, DEFAULT_READS.maxHoldMs, { max: 60_000 }),
    },
    limits: resolveLimits(options.limits),
    silentAfterMisses: number('silentAfterMisses', options.silentAfterMisses, 1, { integer: true, max: 1_000 }),
  }
}

/** Checks that `client` looks like a supabase-js client, naming what is missing. */
export function assertSupabaseClient(client: unknown): asserts client is SupabaseClient {
  const candidate = client as { realtime?: unknown; channel?: unknown; removeChannel?: unknown } | null
  if (typeof candidate !== 'object' || candidate === null)
    fail('client', 'must be a Supabase client from createClient()', client === undefined ? 'undefined' : typeof client)
  if (
    typeof candidate.channel !== 'function' ||
    typeof candidate.removeChannel !== 'function' ||
    typeof candidate.realtime !== 'object'
  ) {
    throw new TypeError(
      'createRealtime(): client must be a Supabase client from createClient() (it has no realtime, channel or removeChannel)',
    )
  }
}

/** Checks that `api` is an RTK Query api (createApi), naming what is missing. */
function assertRtkQueryApi(api: unknown): void {
  if (!isRtkqApi(api))
    throw new TypeError(
      'createRealtime(): api must be an RTK Query api from createApi() (it has no reducerPath or util.invalidateTags)',
    )
}
