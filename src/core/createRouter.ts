import type { RealtimeEnvironment } from '../env/environment'
import type { Middleware } from '@reduxjs/toolkit'
import { createLogger } from '../env/logger'
import { createPlaceholderTracker } from '../optimistic/placeholderTracker'
import { compileRoutes } from '../router/compileRoutes'
import { createInvalidationRouter, type InvalidationRouter, type RouterDeps } from '../router/invalidationRouter'
import type { RtkqApi } from '../rtkq/rtkqApi'
import { ownPollTags, unionOfTags } from './ownPollTags'
import type { SagaRegistry } from '../sagas/context'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import type { RealtimeOptionFields, ResolvedOptions } from './options'

/** Endpoint names of the api, to check the routes' `patch.endpoint` against. */
function endpointNames(api: unknown): ReadonlySet<string> | undefined {
  const endpoints = (api as { endpoints?: unknown } | null)?.endpoints
  return typeof endpoints === 'object' && endpoints !== null ? new Set(Object.keys(endpoints)) : undefined
}

/**
 * Wires the InvalidationRouter to the instance (its routes, its slice, and the live
 * subscriptions' tags) and, in the same middleware, the tracker of optimistic placeholders.
 * `crossTab` shares dead-mode polls with the other tabs (a leader polls and relays for them).
 */
export function createRouter(
  options: RealtimeOptionFields,
  resolved: ResolvedOptions,
  env: RealtimeEnvironment,
  actions: RealtimeActions,
  selectors: RealtimeSelectors,
  registry: SagaRegistry,
  crossTab: Pick<RouterDeps, 'tabRole' | 'pollTags' | 'polled'> = {},
): InvalidationRouter {
  const logger = createLogger({
    tag: '[InvalidationRouter]',
    sink: env.logSink,
    level: env.logLevel,
    sampleRate: env.logSampleRate,
    random: env.random,
  })
  const router = createInvalidationRouter({
    api: options.api as RtkqApi,
    routes: compileRoutes(options.routes, endpointNames(options.api)),
    throttleMs: resolved.throttleMs,
    polling: resolved.polling,
    reads: resolved.reads,
    env,
    logger,
    actions,
    selectors,
    activeTags: () => unionOfTags(registry.requests.values()),
    subscriptions: () => registry.requests.values(),
    silentAfterMisses: resolved.silentAfterMisses,
    topicTags: (topic) => unionOfTags([...registry.requests.values()].filter((spec) => spec.topic === topic)),
    ownPollTags: (state) => ownPollTags(state, selectors, registry),
    ...crossTab,
  })
  const placeholders = createPlaceholderTracker({ api: options.api as RtkqApi, clock: env.clock, logger })
  const middleware: Middleware = (storeApi) => {
    const tracking = placeholders.middleware(storeApi)
    const routing = router.middleware(storeApi)
    return (next) => tracking(routing(next))
  }
  return {
    ...router,
    middleware,
    stop() {
      router.stop()
      placeholders.clear()
    },
  }
}
