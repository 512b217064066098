import type { Middleware, MiddlewareAPI, UnknownAction } from '@reduxjs/toolkit'
import type { BroadcastPort } from '../env/broadcast'
import type { RealtimeEnvironment } from '../env/environment'
import { thrownKind, type Logger } from '../env/logger'
import type { Random } from '../env/random'
import type { PollReason } from '../router/pollingScheduler'
import type { FullTag } from '../router/tags'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import { Elector, type ElectionView } from './elector'
import type { RtkqApi } from '../rtkq/rtkqApi'
import { createMutationTags } from './mutationTags'
import { PollSharing } from './pollSharing'
import { invalidateMessages, parseMessage, type CrossTabMessage, type RelayCause } from './protocol'
import { relayedInvalidation } from './relay'
import type { TabRoleSource } from './roleSource'

export interface CrossTabDeps {
  enabled: boolean
  channelName: string
  env: RealtimeEnvironment
  logger: Logger
  actions: RealtimeActions
  selectors: RealtimeSelectors
  /** The RTK Query api whose mutations are relayed; null: leadership only. */
  api: RtkqApi | null
  role: TabRoleSource & { set(role: ReturnType<TabRoleSource['current']>): void; setCovered(covered: boolean): void }
  /** The tags this tab's own dead-mode (or degraded) poll invalidates in `state`; null while it does not poll. */
  ownPollTags(state: unknown): FullTag[] | null
}

interface Session {
  tabId: string
  port: BroadcastPort
  elector: Elector
  sharing: PollSharing
  unsubscribe: () => void
  visible: boolean
}

let instances = 0

/** A random id, unique among the instances of this process too. Lowest id wins ties. */
function newTabId(random: Random): string {
  instances += 1
  return `${Math.floor(random() * 0x1_0000_0000).toString(36).padStart(7, '0')}${instances.toString(36)}`
}

/**
 * The cross-tab manager of one realtime instance: joins the origin's BroadcastChannel, runs the
 * leader election (its role drives the polling cadence through `role`), relays the tags of local
 * mutations to the other tabs and applies theirs. Lives in the middleware; `start()` and
 * `stop()` come from `realtime.start(store)` and the `stop()` it returns.
 */
export function createCrossTab(deps: CrossTabDeps) {
  const { env, logger, actions, selectors } = deps
  const tagsOf = deps.api ? createMutationTags(deps.api, logger) : null
  let store: MiddlewareAPI | null = null
  let session: Session | null = null

  const dispatch = (action: UnknownAction) => store?.dispatch(action)

  /** Tells the polling scheduler whether the leader polls for this tab (it replans on a change). */
  const refreshCoverage = (current: Session) => {
    if (session === current) deps.role.setCovered(current.sharing.covered())
  }

  const relay = (current: Session, tags: FullTag[], cause: RelayCause = 'mutation') => {
    for (const message of invalidateMessages(current.tabId, tags, cause)) {
      if (current.port.post(message)) dispatch(actions.crossTabRelaySent({ tags: message.tags.length }))
      else logger.once('cross-tab-post-failed', 'warn', 'could not post a cross-tab relay message')
    }
  }

  const apply = (message: CrossTabMessage, current: Session) => {
    if (message.from === current.tabId) return
    if (message.kind === 'heartbeat') {
      current.sharing.heard(message)
      current.elector.heartbeat(message)
      refreshCoverage(current)
    } else if (message.kind === 'bye') {
      current.sharing.forget(message.from)
      current.elector.bye(message)
      refreshCoverage(current)
    } else {
      // A poll relay is for visible tabs that poll: a hidden tab keeps its own hidden cadence.
      const accepted = message.cause !== 'poll' || current.sharing.acceptsPollRelay()
      const invalidation = accepted && deps.api && store ? relayedInvalidation(deps.api, store.getState(), message.tags) : null
      dispatch(actions.crossTabRelayReceived({ applied: invalidation !== null }))
      if (invalidation) dispatch(invalidation)
    }
  }

  const receive = (data: unknown) => {
    const current = session
    if (!current) return
    try {
      const parsed = parseMessage(data)
      if (parsed.ok) apply(parsed.message, current)
      else {
        logger.once(`cross-tab-drop:${parsed.reason}`, 'warn', `dropped a cross-tab message (${parsed.reason})`)
        dispatch(actions.crossTabMessageDropped({ reason: parsed.reason }))
      }
    } catch (error) {
      logger.once('cross-tab-receive-threw', 'warn', 'a cross-tab message could not be handled', { error: thrownKind(error) })
    }
  }

  const middleware: Middleware = (api) => {
    store = api
    return (next) => (action) => {
      const result = next(action)
      const current = session
      if (current) {
        // Visibility changes only through setVisibility (the environment saga puts it too).
        if (actions.setVisibility.match(action) && action.payload !== current.visible) {
          current.visible = action.payload
          current.elector.setVisible(action.payload)
        }
        const tags = tagsOf?.(action as UnknownAction)
        if (tags && tags.length > 0) relay(current, tags)
      }
      return result
    }
  }

  const open = (): BroadcastPort | null => {
    if (!deps.enabled) return null
    if (!env.broadcastChannel) {
      logger.debug('cross-tab is off: this host has no BroadcastChannel')
      return null
    }
    try {
      return env.broadcastChannel(deps.channelName)
    } catch (error) {
      logger.once('cross-tab-open-failed', 'warn', 'could not open the cross-tab channel: cross-tab is off', { error: thrownKind(error) })
      return null
    }
  }

  return {
    middleware,
    /** Joins the other tabs. The store must already carry the middleware. */
    start() {
      if (session || !store) return
      const port = open()
      if (!port) return
      const tabId = newTabId(env.random)
      const visible = selectors.selectRealtimeState(store.getState()).visible
      const sharing = new PollSharing({
        now: () => env.clock.now(),
        ownPollTags: () => (store ? deps.ownPollTags(store.getState()) : null),
        visible: () => (store ? selectors.selectRealtimeState(store.getState()).visible : false),
      })
      const changed = (view: ElectionView) => {
        sharing.roleChanged(view.role, view.leaderId)
        dispatch(actions.crossTabRoleChanged({ ...view, at: env.clock.now() }))
        deps.role.set(view.role)
        if (session) refreshCoverage(session)
      }
      const elector = new Elector({
        clock: env.clock,
        logger,
        tabId,
        locks: env.locks ?? null,
        lockName: `${deps.channelName}:leader`,
        // Heartbeats carry this tab's polling state, so the leader's poll can cover it.
        send: (message) => {
          if (message.kind !== 'heartbeat') return void port.post(message)
          port.post({ ...message, ...sharing.heartbeatFields() })
          if (session) refreshCoverage(session)
        },
        changed,
        electionChanged: (election) => dispatch(actions.crossTabStarted({ tabId, election, at: env.clock.now() })),
      })
      session = { tabId, port, elector, sharing, unsubscribe: () => undefined, visible }
      dispatch(actions.crossTabStarted({ tabId, election: elector.election, at: env.clock.now() }))
      session.unsubscribe = port.subscribe(receive)
      elector.start(visible)
    },
    stop() {
      const current = session
      if (!current) return
      session = null
      current.elector.stop()
      current.unsubscribe()
      current.port.close()
      current.sharing.clear()
      dispatch(actions.crossTabStopped({ at: env.clock.now() }))
      deps.role.setCovered(false)
      deps.role.set('off')
    },
    /** The router's poll hook: a leader's dead-mode (or degraded) poll covers the tags its visible peers announced. */
    pollTags(own: FullTag[], reason: PollReason): FullTag[] {
      const current = session
      return current && reason !== 'safety-net' ? current.sharing.widen(own) : own
    },
    /** After a poll: a leader relays what it polled to the tabs it covers (one message, split only past MAX_RELAY_TAGS). */
    polled(tags: FullTag[], reason: PollReason): void {
      const current = session
      if (!current || reason === 'safety-net' || tags.length === 0 || !current.sharing.relaysPolls()) return
      try {
        relay(current, tags, 'poll')
      } catch (error) {
        logger.once('cross-tab-poll-relay-threw', 'warn', 'could not relay a poll to the other tabs', { error: thrownKind(error) })
      }
    },
  }
}
