import { createListenerMiddleware, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import { buildEventsHandler } from './eventsHandler'
import { buildFreshnessHandler } from './freshnessHandler'
import { DEFAULT_READS } from '../policy/readsPolicy'
import { listenForReads } from './freshReads'
import { createInvalidationIssuer } from './invalidationIssuer'
import { buildJoinCatchUpHandler } from './joinCatchUp'
import { buildKickHandler } from './kickHandler'
import { buildPollingHandler } from './pollingListener'
import { buildQueryActionsHandler } from './queryActionsHandler'
import { buildRecoverHandler } from './recoverHandler'
import { buildReplayFallbackHandler } from './replayFallback'
import { RefetchTracker } from './refetchTracker'
import { rtkqMatchers } from '../rtkq/rtkqActions'
import { SilenceTracker } from './silenceTracker'
import { buildSilentDetector } from './silentDetector'
import { buildTimelineRecorder } from './timelineRecorder'
import type { BuildRouterHandler, RouterContext, RouterDeps, RouterHandler } from './routerContext'

export type { RouterDeps } from './routerContext'

/**
 * The router's behaviours, one file each, in the order their listeners run: route events (and
 * patch), catch up after every join, "recover now", the focus/online kick, polling for every
 * topic that is not live (and the alert), RTK Query's own actions (reads in flight, latency), and
 * the silent detector (polled refetches that found changes no event announced), and the debug
 * panel's timeline (the connection's and each topic's transitions), and what per-query freshness
 * needs (confirmations, catch-ups).
 */
const HANDLERS: readonly BuildRouterHandler[] = [
  buildEventsHandler,
  buildJoinCatchUpHandler,
  buildReplayFallbackHandler,
  buildRecoverHandler,
  buildKickHandler,
  buildPollingHandler,
  buildQueryActionsHandler,
  buildSilentDetector,
  buildTimelineRecorder,
  buildFreshnessHandler,
]

/**
 * The InvalidationRouter: one listener middleware that turns realtime events into RTK Query
 * tag invalidations (per-tag throttled), catches up after every gap (the first join included),
 * polls every topic that is not live, kicks once on focus or reconnect, and keeps reads from
 * waiting on the slowest request (held invalidations bounded, stuck reads restarted). Metrics go
 * to the slice, one action per pass. Composed from {@link HANDLERS} as RTK Query's
 * `buildMiddleware` composes its handlers.
 * @internal
 */
export function createInvalidationRouter(deps: RouterDeps) {
  const { api, env, logger, actions, selectors } = deps
  const listener = createListenerMiddleware()
  let store: { dispatch: (action: UnknownAction) => unknown; getState: () => unknown } | null = null
  const getState = () => store?.getState()
  const dispatch = (action: UnknownAction) => store?.dispatch(action)

  const latency = new RefetchTracker(env.clock, api.reducerPath)
  const reads = listenForReads(listener, {
    api,
    clock: env.clock,
    logger,
    selectors,
    reads: deps.reads ?? DEFAULT_READS,
    getState,
    dispatch,
    report: (counts) => dispatch(actions.readsReported(counts)),
  })
  const issuer = createInvalidationIssuer({
    api,
    clock: env.clock,
    logger,
    actions,
    throttleMs: deps.throttleMs,
    reads,
    latency,
    getState,
    dispatch,
  })
  const silence = new SilenceTracker(env.clock, rtkqMatchers(api.reducerPath))
  const ctx: RouterContext = { deps, getState, dispatch, issuer, reads, latency, silence, routed: new Set() }
  const handlers: RouterHandler[] = HANDLERS.map((build) => build(listener, ctx) ?? {})

  const hot = handlers.flatMap((handler) => (handler.afterAction ? [handler.afterAction] : []))
  const isEvents = actions.eventsReceived.match
  const middleware: Middleware = (storeApi) => {
    store = storeApi as typeof store
    const listening = listener.middleware(storeApi)
    return (next) => {
      const inner = listening(next)
      return (action) => {
        // Events change only counters and each channel's lastMessageAt, which no listener here
        // watches (test/slice: receiveEvents): they skip the listener middleware's state reads and
        // predicates, and the effects of those that compare the channels record by reference.
        const result = isEvents(action) ? next(action) : inner(action)
        for (const afterAction of hot) afterAction(action as UnknownAction)
        return result
      }
    }
  }

  return {
    middleware,
    /** Starts polling (and the alert watch). The store must already carry the middleware. */
    start() {
      for (const handler of handlers) handler.start?.()
    },
    stop() {
      for (const handler of handlers) handler.stop?.()
      issuer.clear()
      latency.clear()
      reads.clear()
    },
  }
}

export type InvalidationRouter = ReturnType<typeof createInvalidationRouter>
