import type { ListenerMiddlewareInstance, UnknownAction } from '@reduxjs/toolkit'
import type { TabRoleSource } from '../crossTab/roleSource'
import type { RealtimeEnvironment } from '../env/environment'
import type { Logger } from '../env/logger'
import type { PollingOptions } from '../policy/pollingPolicy'
import type { RtkqApi } from '../rtkq/rtkqApi'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import type { CompiledRoutes } from './compileRoutes'
import type { ReadsOptions } from '../policy/readsPolicy'
import type { FreshReads } from './freshReads'
import type { InvalidationIssuer } from './invalidationIssuer'
import type { PollReason } from './pollingScheduler'
import type { RefetchTracker } from './refetchTracker'
import type { SilenceTracker } from './silenceTracker'
import type { SerializableSpec } from '../subscription/spec'
import type { RoutedTag } from './routeEvents'
import type { FullTag } from './tags'

/** What the router is built from (createRouter wires it to the instance). @internal */
export interface RouterDeps {
  api: RtkqApi
  routes: CompiledRoutes
  throttleMs: number
  polling: PollingOptions
  /** Cross-tab: this tab's role; a follower its leader polls for polls on the hidden cadence. */
  tabRole?: TabRoleSource
  /** Bounds on reads (`reads.timeoutMs`, `reads.maxHoldMs`); defaults when absent. */
  reads?: ReadsOptions
  env: RealtimeEnvironment
  logger: Logger
  actions: RealtimeActions
  selectors: RealtimeSelectors
  /** Tags of every active subscription (polling, focus kick, recover). */
  activeTags(): FullTag[]
  /** Every active subscription (the silent detector reads their topics, bindings and tags). */
  subscriptions(): Iterable<SerializableSpec>
  /** Misses after which a source is silent (`silentAfterMisses`, default 1; 0: never). */
  silentAfterMisses?: number
  /** Tags of the active subscriptions of one topic (gap catch-up). */
  topicTags(topic: string): FullTag[]
  /** Tags of the subscriptions whose topic is not live in `state` (null while every topic is live): one rule, shared with cross-tab. */
  ownPollTags(state: unknown): FullTag[] | null
  /** Cross-tab: the tags a poll invalidates, given this tab's own (a leader adds its followers'). */
  pollTags?(own: FullTag[], reason: PollReason): FullTag[]
  /** Cross-tab: called after every poll with the tags it invalidated (a leader relays them). */
  polled?(tags: FullTag[], reason: PollReason): void
}

/**
 * What every handler of the router shares: its deps, the store (once the middleware is
 * installed), the one way to invalidate (through the per-tag throttle), the reads in flight, the
 * event→refetch latency tracker, and the silent detector's bookkeeping.
 * @internal
 */
export interface RouterContext {
  deps: RouterDeps
  getState(): unknown
  dispatch(action: UnknownAction): unknown
  issuer: InvalidationIssuer
  reads: FreshReads
  latency: RefetchTracker
  /** What the silent detector knows of events, polled refetches and cached data. */
  silence: SilenceTracker
  /** Called with the tags of every routed batch of events, by key (freshness: those queries are confirmed). */
  routed: Set<(tags: ReadonlyMap<string, RoutedTag>) => void>
}

/** What a handler may need at start and stop. @internal */
export interface RouterHandler {
  start?(): void
  stop?(): void
  /**
   * The hot path: called with every action once the reducers and the listeners have seen it,
   * without the listener middleware's per-effect AbortController and promise (one event per
   * action is common: the first after a quiet frame goes out alone). Must not throw.
   */
  afterAction?(action: UnknownAction): void
}

/**
 * One behaviour of the router: it registers its listeners on the router's listener middleware
 * (as RTK Query's `buildMiddleware` composes one handler per behaviour).
 * @internal
 */
export type BuildRouterHandler = (listener: ListenerMiddlewareInstance, ctx: RouterContext) => RouterHandler | void
