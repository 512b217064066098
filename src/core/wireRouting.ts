import { createCrossTab } from '../crossTab/crossTab'
import { createTabRoleSource } from '../crossTab/roleSource'
import type { RealtimeEnvironment } from '../env/environment'
import type { Logger } from '../env/logger'
import type { RtkqApi } from '../rtkq/rtkqApi'
import type { SagaRegistry } from '../sagas/context'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import { createRouter } from './createRouter'
import type { RealtimeOptionFields, ResolvedOptions } from './options'
import { ownPollTags } from './ownPollTags'

/** What wireRouting needs of the instance being created. @internal */
export interface RoutingParts {
  options: RealtimeOptionFields
  resolved: ResolvedOptions
  env: RealtimeEnvironment
  logger: Logger
  actions: RealtimeActions
  selectors: RealtimeSelectors
  registry: SagaRegistry
}

/**
 * The cross-tab manager and the InvalidationRouter of one instance, wired to each other: the
 * polling scheduler follows this tab's cross-tab role (a follower its leader polls for polls on
 * the hidden cadence), and the leader's dead-mode poll covers its followers' tags and is relayed
 * to them. Without an api there is no router, and nothing for a leader to cover.
 * @internal
 */
export function wireRouting({ options, resolved, env, logger, actions, selectors, registry }: RoutingParts) {
  const tabRole = createTabRoleSource()
  const api = options.api === undefined ? null : (options.api as RtkqApi)
  const crossTab = createCrossTab({
    enabled: resolved.crossTab.enabled,
    channelName: resolved.crossTab.channelName,
    env,
    logger,
    actions,
    selectors,
    api,
    role: tabRole,
    ownPollTags: (state) => (api === null ? null : ownPollTags(state, selectors, registry)),
  })
  const router =
    api === null
      ? null
      : createRouter(options, resolved, env, actions, selectors, registry, {
          tabRole,
          pollTags: crossTab.pollTags,
          polled: crossTab.polled,
        })
  return { crossTab, router }
}
