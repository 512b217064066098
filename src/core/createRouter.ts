import type { RealtimeEnvironment } from '../env/environment'
import type { Middleware } from '@reduxjs/toolkit'
import { createLogger } from '../env/logger'
import { createVisibilityWaiters } from '../freshness/visibilityWaiters'
import type { WhenVisible } from '../freshness/whenVisibleOptions'
import { createPlaceholderTracker } from '../optimistic/placeholderTracker'
import { compileRoutes, type CompiledRoutes } from '../router/compileRoutes'
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

/** `'todos'` means `public.todos`; `'schema.table'` names both (as `changes.tables` and the routes do). */
function qualified(table: string): string {
  return table.includes('.') ? table : `public.${table}`
}

/**
 * The tags of the subscriptions listening to `table`, by a postgres binding or by Broadcast from
 * Database (`changes.tables`); every active tag if none does.
 */
function tableTags(registry: SagaRegistry, table: string) {
  const name = qualified(table)
  const specs = [...registry.requests.values()]
  const listening = specs.filter(
    (spec) =>
      spec.postgres?.some((binding) => binding.table === table || `${binding.schema}.${binding.table}` === name) ||
      spec.changes?.tables.includes(name),
  )
  return unionOfTags(listening.length > 0 ? listening : specs)
}

/** The key and version fields of the first patch route of `table` (`public.` unless it names its schema). */
function patchFields(routes: CompiledRoutes, table: string) {
  const patch = routes.byTable.get(qualified(table))?.find((route) => route.patch)?.patch
  return patch ? { key: patch.key, version: patch.version } : undefined
}

/**
 * Wires the InvalidationRouter to the instance (its routes, its slice, and the live
 * subscriptions' tags) and, in the same middleware, the tracker of optimistic placeholders and
 * the read-your-writes waits (`whenVisible`).
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
): InvalidationRouter & { whenVisible: WhenVisible } {
  const logger = createLogger({
    tag: '[InvalidationRouter]',
    sink: env.logSink,
    level: env.logLevel,
    sampleRate: env.logSampleRate,
    random: env.random,
  })
  const routes = compileRoutes(options.routes, endpointNames(options.api))
  const router = createInvalidationRouter({
    api: options.api as RtkqApi,
    routes,
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
  const waiters = createVisibilityWaiters({
    api: options.api as RtkqApi,
    env,
    logger,
    actions,
    tableTags: (table) => tableTags(registry, table),
    patchFields: (table) => patchFields(routes, table),
  })
  const middleware: Middleware = (storeApi) => {
    const tracking = placeholders.middleware(storeApi)
    const routing = router.middleware(storeApi)
    const waiting = waiters.middleware(storeApi)
    return (next) => tracking(waiting(routing(next)))
  }
  return {
    ...router,
    middleware,
    whenVisible: waiters.whenVisible,
    stop() {
      router.stop()
      placeholders.clear()
      waiters.stop()
    },
  }
}
