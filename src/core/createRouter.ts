import type { RealtimeEnvironment } from '../env/environment'
import type { Middleware } from '@reduxjs/toolkit'
import { createLogger } from '../env/logger'
import { createPlaceholderTracker } from '../optimistic/placeholderTracker'
import { compileRoutes } from '../router/compileRoutes'
import { createInvalidationRouter, type InvalidationRouter, type RouterApi, type RouterDeps } from '../router/invalidationRouter'
import { degradedTopics } from '../router/pollingView'
import { isRealtimeDown } from '../policy/pollingPolicy'
import { fullTagsOf, tagKey, type FullTag } from '../router/tags'
import type { SagaRegistry } from '../sagas/context'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import type { SerializableSpec } from '../subscription/spec'
import type { RealtimeOptionFields, ResolvedOptions } from './options'

function unionOfTags(specs: Iterable<SerializableSpec>): FullTag[] {
  const tags = new Map<string, FullTag>()
  for (const spec of specs) for (const tag of fullTagsOf(spec.tags)) tags.set(tagKey(tag), tag)
  return [...tags.values()]
}

/**
 * The tags this tab's own poll invalidates in `state` (the router's poll uses this too): every
 * active subscription's while realtime is down or disabled, the failed topics' while degraded;
 * null while it does not poll (realtime healthy: at most the safety net, which is never shared).
 */
export function ownPollTags(state: unknown, selectors: RealtimeSelectors, registry: SagaRegistry): FullTag[] | null {
  const realtime = selectors.selectRealtimeState(state)
  if (isRealtimeDown(realtime.connection)) return unionOfTags(registry.requests.values())
  const topics = new Set(degradedTopics(realtime))
  return topics.size === 0 ? null : unionOfTags([...registry.requests.values()].filter((spec) => topics.has(spec.topic)))
}

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
  crossTab: Pick<RouterDeps, 'pollTags' | 'polled'> = {},
): InvalidationRouter {
  const logger = createLogger({ tag: '[InvalidationRouter]', sink: env.logSink, level: env.logLevel, sampleRate: env.logSampleRate, random: env.random })
  const router = createInvalidationRouter({
    api: options.api as RouterApi,
    routes: compileRoutes(options.routes, endpointNames(options.api)),
    throttleMs: resolved.throttleMs,
    polling: resolved.polling,
    env,
    logger,
    actions,
    selectors,
    activeTags: () => unionOfTags(registry.requests.values()),
    topicTags: (topic) => unionOfTags([...registry.requests.values()].filter((spec) => spec.topic === topic)),
    ownPollTags: (state) => ownPollTags(state, selectors, registry),
    ...crossTab,
  })
  const placeholders = createPlaceholderTracker({ api: options.api as RouterApi, clock: env.clock, logger })
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
