import type { Middleware, UnknownAction } from '@reduxjs/toolkit'
import { thrownKind } from '../env/logger'
import type { PollReason } from '../router/pollingScheduler'
import type { FullTag } from '../router/tags'
import type { CrossTabDeps, CrossTabManager } from './crossTabManager'
import { createMutationTags } from './mutationTags'
import { announceReconnected, mayReconnect } from './reconnectReports'
import { relayTags } from './relayHandling'
import { startSession, stopSession } from './sessionWiring'

/**
 * The cross-tab manager of one realtime instance: joins the origin's BroadcastChannel, runs the
 * leader election (its role drives the polling cadence through `role`), relays the tags of local
 * mutations to the other tabs and applies theirs. Lives in the middleware; `start()` and
 * `stop()` come from `realtime.start(store)` and the `stop()` it returns.
 */
export function createCrossTab(deps: CrossTabDeps) {
  const manager: CrossTabManager = { deps, store: null, session: null }
  return {
    middleware: crossTabMiddleware(manager),
    /** Joins the other tabs. The store must already carry the middleware. */
    start() {
      startSession(manager)
    },
    stop() {
      stopSession(manager)
    },
    /** The router's poll hook: a leader's dead-mode (or degraded) poll covers the tags its visible peers announced. */
    pollTags(own: FullTag[], reason: PollReason): FullTag[] {
      const current = manager.session
      return current && reason !== 'safety-net' ? current.sharing.widen(own) : own
    },
    /** After a poll: a leader relays what it polled to the tabs it covers (one message, split only past MAX_RELAY_TAGS). */
    polled(tags: FullTag[], reason: PollReason): void {
      const current = manager.session
      if (!current || reason === 'safety-net' || tags.length === 0 || !current.sharing.relaysPolls()) return
      try {
        relayTags(manager, current, tags, 'poll')
      } catch (error) {
        deps.logger.once('cross-tab-poll-relay-threw', 'warn', 'could not relay a poll to the other tabs', {
          error: thrownKind(error),
        })
      }
    },
  }
}

/**
 * Follows the visibility commands into the election, relays the tags of local mutations, and tells
 * the other tabs when this tab's connection comes back.
 */
function crossTabMiddleware(manager: CrossTabManager): Middleware {
  const { actions } = manager.deps
  const tagsOf = manager.deps.api ? createMutationTags(manager.deps.api, manager.deps.logger) : null
  return (api) => {
    manager.store = api
    return (next) => (action) => {
      const reconnecting = manager.session !== null && mayReconnect(manager, action as UnknownAction)
      const result = next(action)
      const current = manager.session
      if (current) {
        if (reconnecting) announceReconnected(manager, current)
        // Visibility changes only through setVisibility (the environment saga puts it too).
        if (actions.setVisibility.match(action) && action.payload !== current.visible) {
          current.visible = action.payload
          current.elector.setVisible(action.payload)
        }
        const tags = tagsOf?.(action as UnknownAction)
        if (tags && tags.length > 0) relayTags(manager, current, tags)
      }
      return result
    }
  }
}
