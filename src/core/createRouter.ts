import type { RealtimeEnvironment } from '../env/environment'
import { createLogger } from '../env/logger'
import { compileRoutes } from '../router/compileRoutes'
import { createInvalidationRouter, type InvalidationRouter, type RouterApi } from '../router/invalidationRouter'
import { fullTagsOf, tagKey, type FullTag } from '../router/tags'
import type { SagaRegistry } from '../sagas/context'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import type { SerializableSpec } from '../subscription/spec'
import type { RealtimeOptions, ResolvedOptions } from './options'

function unionOfTags(specs: Iterable<SerializableSpec>): FullTag[] {
  const tags = new Map<string, FullTag>()
  for (const spec of specs) for (const tag of fullTagsOf(spec.tags)) tags.set(tagKey(tag), tag)
  return [...tags.values()]
}

/** Wires the InvalidationRouter to the instance: its routes, its slice, and the live subscriptions' tags. */
export function createRouter(
  options: RealtimeOptions,
  resolved: ResolvedOptions,
  env: RealtimeEnvironment,
  actions: RealtimeActions,
  selectors: RealtimeSelectors,
  registry: SagaRegistry,
): InvalidationRouter {
  return createInvalidationRouter({
    api: options.api as RouterApi,
    routes: compileRoutes(options.routes),
    throttleMs: resolved.throttleMs,
    polling: resolved.polling,
    env,
    logger: createLogger({ tag: '[InvalidationRouter]', sink: env.logSink, level: env.logLevel, sampleRate: env.logSampleRate, random: env.random }),
    actions,
    selectors,
    activeTags: () => unionOfTags(registry.requests.values()),
    topicTags: (topic) => unionOfTags([...registry.requests.values()].filter((spec) => spec.topic === topic)),
  })
}
