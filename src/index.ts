/**
 * rtk-supabase-realtime: keeps every RTK Query cache of a Supabase app fresh.
 * This is the only public entry of the core; everything exported here is public API.
 */
export { createRealtime } from './core/createRealtime'
export type { Realtime, RealtimeCommand, RealtimeCommands } from './core/createRealtime'
export type { RealtimeStore } from './core/startOnStore'
export type { RealtimeOptions, RealtimeConnection, RealtimeApi, RealtimeTuning, LivenessOptions } from './core/options'

export { RealtimeError, isRealtimeError, REALTIME_ERROR_TYPES } from './errors/realtimeError'
export type {
  RealtimeErrorType,
  SerializedRealtimeError,
  RealtimeErrorInit,
  ServerRefusal,
} from './errors/realtimeError'

export type { BroadcastChanges, SubscriptionSpec, SubscriptionHandle, TagDescription } from './subscription/spec'
export type { PostgresBinding, PostgresChangeKind, PostgresChangeEvent } from './events/bindings'
export type { RealtimeEvent, PostgresChangesEvent, BroadcastEvent, Row } from './events/events'
export type {
  RealtimeTransport,
  TransportChannel,
  ChannelConfig,
  JoinOptions,
  ChannelSignal,
  ChannelStatus,
  SocketSignal,
  BroadcastResult,
  AuthSnapshot,
  AuthChangeEvent,
  HeartbeatStatus,
} from './events/port'
export { createSupabaseTransport } from './transport/supabaseTransport'

export type { ConnectionState } from './policy/connectionTransition'
export { CONNECTION_STATES } from './policy/connectionTransition'
export type { RetryOptions } from './policy/backoff'
export type { CapacityLimits, LimitsOption } from './policy/capacity'
export type { PlanLimits, PlanName } from './policy/planLimits'
export { PLAN_LIMITS } from './policy/planLimits'
export { DEFAULT_RETRY } from './policy/backoff'

export type { RealtimeState, ChannelRecord, ChannelState, ErrorRecord, MetricsState } from './slice/state'
export type { RealtimeMetrics, LatencySummary, RealtimeSelectors } from './slice/selectors'
export type { RealtimeAlert, RealtimeDownAlert, RealtimeSilentAlert } from './slice/alertOf'
export type { SilentSourceRecord } from './slice/silenceReducers'
export type { HistoryState, HistoryTransition, TopicMode } from './slice/historyReducers'
export { connectionUptimeMs } from './slice/selectors'
export type { Histogram } from './slice/histogram'
export {
  defaultSelectors,
  selectConnectionState,
  selectChannels,
  selectChannel,
  selectMetrics,
  selectPollingInterval,
  selectLastError,
  selectAlert,
} from './slice/defaultSelectors'

export type { Clock, TimerHandle } from './env/clock'
export type { Random } from './env/random'
export { createSeededRandom } from './env/random'
export type { SignalSource } from './env/signal'
export type { RealtimeEnvironment } from './env/environment'
export type { LogLevel, LogSink } from './env/logger'

export { defineRoutes } from './router/defineRoutes'
export type {
  Route,
  PostgresRoute,
  BroadcastRoute,
  RouteTags,
  TagTypesOf,
  RouteFor,
  EventFor,
  PostgresOn,
  BroadcastOn,
  RoutedBroadcastEvent,
} from './router/defineRoutes'
export { withNoStore } from './router/withNoStore'
export type { PollingOptions, PollingInput } from './policy/pollingPolicy'
export { pollingInterval, DEFAULT_POLLING } from './policy/pollingPolicy'
export type { PatchCounts } from './slice/patchMetrics'
export { selectRecentErrors } from './slice/defaultSelectors'

// Cross-tab: leader election and mutation relay among the tabs of one origin.
export type { CrossTabOptions } from './core/options'
export type { ReadsOptions } from './policy/readsPolicy'
export type { CrossTabState, CrossTabRole } from './slice/state'
export { selectCrossTab } from './slice/defaultSelectors'
export type { LocksPort, LockHandlers, WebLockManager } from './env/locks'
export { createWebLocks } from './env/locks'
export type { BroadcastPort, BroadcastChannelFactory, BroadcastChannelConstructor } from './env/broadcast'
export { createBroadcastChannelFactory } from './env/broadcast'

// Optimistic placeholders and patch mode (zero-refetch updates from postgres_changes).
export { addPlaceholder, DEFAULT_PLACEHOLDER_TTL_MS } from './optimistic/addPlaceholder'
export type { PlaceholderHandle, PlaceholderOptions } from './optimistic/addPlaceholder'
export { isPending } from './optimistic/placeholderList'
export type { PostgresPatchRoute } from './router/defineRoutes'
export type {
  PatchOptions,
  PatchFor,
  EndpointsOf,
  TypesOf,
  QueryEndpointName,
  ListEndpointName,
  QueryArgOf,
  QueryResultOf,
  ListItemOf,
  ItemField,
} from './router/patchTypes'
export { broadcastChangesSql, type BroadcastChangesSqlOptions } from './sql/broadcastChangesSql'

// Per-query freshness (realtime.selectors.selectFreshness, useFreshness) and read-your-writes.
export type { Freshness, FreshnessMode } from './freshness/freshnessModel'
export type { SelectFreshness } from './freshness/selectFreshness'
export type { FreshnessState, CoveredTag, CatchUpRecord, PendingWrite } from './slice/freshnessState'
export type { WhenVisible, WhenVisibleOptions, WhenVisibleResult } from './freshness/whenVisibleOptions'
export { DEFAULT_WHEN_VISIBLE_TIMEOUT_MS } from './freshness/whenVisibleOptions'
