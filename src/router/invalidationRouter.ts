import { createListenerMiddleware, isAnyOf, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import type { RealtimeEnvironment } from '../env/environment'
import type { Logger } from '../env/logger'
import type { PollingOptions } from '../policy/pollingPolicy'
import type { RealtimeActions, RouterReport } from '../slice/realtimeSlice'
import { rtkqMatchers } from '../rtkq/rtkqActions'
import type { RtkqApi } from '../rtkq/rtkqApi'
import type { RealtimeSelectors } from '../slice/selectors'
import type { CompiledRoutes } from './compileRoutes'
import { listenForPolling } from './pollingListener'
import type { PollReason } from './pollingScheduler'
import { DEFAULT_READS, listenForReads, type ReadsOptions } from './freshReads'
import { listenForJoins } from './joinCatchUp'
import { RefetchTracker } from './refetchTracker'
import { PatchApplier } from './patchApplier'
import { patchCounts } from './patchTally'
import { addRouteTags, routeEvents } from './routeEvents'
import { TagThrottle, type ThrottledTag } from './tagThrottle'
import { tagKey, type FullTag } from './tags'

export interface RouterDeps {
  api: RtkqApi
  routes: CompiledRoutes
  throttleMs: number
  polling: PollingOptions
  /** Bounds on reads (`reads.timeoutMs`, `reads.maxHoldMs`); defaults when absent. */
  reads?: ReadsOptions
  env: RealtimeEnvironment
  logger: Logger
  actions: RealtimeActions
  selectors: RealtimeSelectors
  /** Tags of every active subscription (polling, focus kick, recover). */
  activeTags(): FullTag[]
  /** Tags of the active subscriptions of one topic (gap catch-up). */
  topicTags(topic: string): FullTag[]
  /** Tags of the subscriptions whose topic is not live in `state` (null while every topic is live): one rule, shared with cross-tab. */
  ownPollTags(state: unknown): FullTag[] | null
  /** Cross-tab: the tags a poll invalidates, given this tab's own (a leader adds its followers'). */
  pollTags?(own: FullTag[], reason: PollReason): FullTag[]
  /** Cross-tab: called after every poll with the tags it invalidated (a leader relays them). */
  polled?(tags: FullTag[], reason: PollReason): void
}

/** Tags per `invalidateTags` action at most. */
const MAX_TAGS_PER_INVALIDATION = 10_000

/** Focus and online kicks are throttled to one per this window. */
export const KICK_THROTTLE_MS = 5_000

function emptyReport(): RouterReport {
  return { routed: 0, unmatched: 0, malformed: 0, issued: 0, coalesced: 0, errors: {}, eventToInvalidationMs: [], eventToRefetchMs: [] }
}

/** Polls, kicks and catch-ups: no event is behind them, so they carry no event latency. */
function asSynthetic(tags: FullTag[], at: number): ThrottledTag[] {
  return tags.map((tag) => ({ key: tagKey(tag), tag, eventAt: at, synthetic: true }))
}

/**
 * The InvalidationRouter: one listener middleware that turns realtime events into RTK Query
 * tag invalidations (per-tag throttled), catches up after every gap (the first join included),
 * polls every topic that is not live, kicks once on focus or reconnect, and keeps reads from
 * waiting on the slowest request (held invalidations bounded, stuck reads restarted). Metrics go
 * to the slice, one action per pass.
 */
export function createInvalidationRouter(deps: RouterDeps) {
  const { api, env, logger, actions, selectors } = deps
  const listener = createListenerMiddleware()
  let store: { dispatch: (action: UnknownAction) => unknown; getState: () => unknown } | null = null
  let lastKickAt = Number.NEGATIVE_INFINITY
  const matchers = rtkqMatchers(api.reducerPath)
  const refetches = new RefetchTracker(env.clock, api.reducerPath)
  const reads = listenForReads(listener, {
    api,
    clock: env.clock,
    logger,
    selectors,
    reads: deps.reads ?? DEFAULT_READS,
    getState: () => store?.getState(),
    dispatch: (action) => store?.dispatch(action),
    report: (counts) => store?.dispatch(actions.readsReported(counts)),
  })
  const patcher = new PatchApplier(api, logger)

  const issue = (due: ThrottledTag[], report: RouterReport) => {
    if (!store || due.length === 0) return
    const now = env.clock.now()
    const tags = due.map((entry) => entry.tag)
    let covered: string[] = []
    // A loop, not Math.min(...): a spread of a huge burst's tags overflows the argument limit (65,536 in Safari).
    let earliest = Number.POSITIVE_INFINITY
    for (const entry of due) if (!entry.synthetic && entry.eventAt < earliest) earliest = entry.eventAt
    try {
      const state = store.getState()
      const keys = api.util.selectInvalidatedBy(state as never, tags).map((entry) => entry.queryCacheKey)
      if (earliest !== Number.POSITIVE_INFINITY) refetches.invalidated(keys, earliest)
      reads.refetches.invalidating(state, keys)
      covered = keys
    } catch (error) {
      logger.once('select-invalidated-failed', 'warn', 'could not look up the queries behind an invalidation', { error: String(error) })
    }
    const target = store
    // Whether RTK Query holds it is decided by the requests pending before it (not the refetches it starts).
    const heldBehind = reads.pending.any()
    // RTK Query spreads the tags of one invalidateTags into a push(): keep each action under the argument limit.
    reads.asRouter(() => {
      for (let start = 0; start < tags.length; start += MAX_TAGS_PER_INVALIDATION) {
        target.dispatch(api.util.invalidateTags(tags.slice(start, start + MAX_TAGS_PER_INVALIDATION)))
      }
    })
    if (heldBehind) reads.invalidated(target.getState(), covered)
    report.issued += due.length
    for (const entry of due) if (!entry.synthetic) report.eventToInvalidationMs.push(Math.max(0, now - entry.eventAt))
  }

  const flushReport = (report: RouterReport) => {
    const empty = report.routed + report.unmatched + report.malformed + report.issued + report.coalesced === 0 && report.eventToRefetchMs.length === 0 && Object.keys(report.errors).length === 0
    if (!empty && store) store.dispatch(actions.routerReported(report))
  }

  const throttle = new TagThrottle(env.clock, deps.throttleMs, (due) => {
    const report = emptyReport()
    issue(due, report)
    flushReport(report)
  })

  /** Invalidates tags now (through the throttle), for polls, kicks and catch-up. */
  const invalidateThrough = (tags: FullTag[]) => {
    if (tags.length === 0) return
    const report = emptyReport()
    const { now, coalesced } = throttle.offer(asSynthetic(tags, env.clock.now()))
    report.coalesced += coalesced
    issue(now, report)
    flushReport(report)
  }

  const polling = listenForPolling(listener, {
    clock: env.clock,
    random: env.random,
    logger,
    polling: deps.polling,
    actions,
    selectors,
    getState: () => store?.getState(),
    dispatch: (action) => store?.dispatch(action),
    invalidate: invalidateThrough,
    activeTags: deps.activeTags,
    ownPollTags: deps.ownPollTags,
    pollTags: deps.pollTags,
    polled: deps.polled,
  })

  listener.startListening({
    actionCreator: actions.eventsReceived,
    effect: (action) => {
      const batch = routeEvents(action.payload.events, deps.routes, logger)
      // Patch mode: rows go straight into the cached lists; what cannot be patched exactly invalidates its fallback tags.
      const patched = batch.patches.length > 0 && store ? patcher.apply(batch.patches, store, batch.errors) : null
      for (const job of patched?.fallbacks ?? []) addRouteTags(batch, job.fallbackTags, job.event, logger, job.routeName)
      const report: RouterReport = patched ? { ...emptyReport(), ...patchCounts(patched) } : emptyReport()
      report.routed = batch.routed
      report.unmatched = batch.unmatched
      report.malformed = batch.malformed
      report.errors = batch.errors
      const offered = throttle.offer([...batch.tags].map(([key, { tag, eventAt }]) => ({ key, tag, eventAt })))
      report.coalesced = offered.coalesced
      issue(offered.now, report)
      flushReport(report)
    },
  })

  const joins = listenForJoins(listener, {
    actions,
    selectors,
    logger,
    selectInvalidatedBy: (state, tags) => api.util.selectInvalidatedBy(state as never, tags),
    topicTags: deps.topicTags,
    invalidate: invalidateThrough,
    refetches: reads.refetches,
    pending: reads.pending,
  })

  listener.startListening({
    actionCreator: actions.recover,
    effect: () => invalidateThrough(deps.activeTags()),
  })

  // Focus and online kick: one throttled invalidation of the active tags.
  listener.startListening({
    matcher: isAnyOf(actions.setVisibility, actions.setOnline),
    effect: (action, api) => {
      const before = selectors.selectRealtimeState(api.getOriginalState())
      const cameBack = actions.setVisibility.match(action) ? action.payload && !before.visible : (action as unknown as { payload: boolean }).payload && !before.online
      const now = env.clock.now()
      if (!cameBack || now - lastKickAt < KICK_THROTTLE_MS) return
      lastKickAt = now
      invalidateThrough(deps.activeTags())
    },
  })

  listener.startListening({
    predicate: (action) => matchers.phaseOf(action) !== null || matchers.isApiReset(action),
    effect: (action, listenerApi) => {
      const state = listenerApi.getState()
      const settled = reads.observe(action as UnknownAction, state)
      if (settled) joins.settled(settled, state)
      const latency = refetches.observe(action as UnknownAction & { meta?: never })
      if (latency === null) return
      const report = emptyReport()
      report.eventToRefetchMs.push(latency)
      flushReport(report)
    },
  })

  const middleware: Middleware = (storeApi) => {
    store = storeApi as typeof store
    return listener.middleware(storeApi)
  }

  return {
    middleware,
    /** Starts polling (and the alert watch). The store must already carry the middleware. */
    start() {
      polling.start()
    },
    stop() {
      polling.stop()
      throttle.clear()
      refetches.clear()
      reads.clear()
      joins.clear()
      patcher.clear()
    },
  }
}

export type InvalidationRouter = ReturnType<typeof createInvalidationRouter>
