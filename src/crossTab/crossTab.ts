import type { Middleware, MiddlewareAPI, UnknownAction } from '@reduxjs/toolkit'
import type { BroadcastPort } from '../env/broadcast'
import type { RealtimeEnvironment } from '../env/environment'
import { thrownKind, type Logger } from '../env/logger'
import type { Random } from '../env/random'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import { Elector, type ElectionView } from './elector'
import { createMutationTags, type RelayApi } from './mutationTags'
import { invalidateMessages, parseMessage, type CrossTabMessage } from './protocol'
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
  api: RelayApi | null
  role: TabRoleSource & { set(role: ReturnType<TabRoleSource['current']>): void }
}

interface Session {
  tabId: string
  port: BroadcastPort
  elector: Elector
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

  const relay = (current: Session, tags: NonNullable<ReturnType<NonNullable<typeof tagsOf>>>) => {
    for (const message of invalidateMessages(current.tabId, tags)) {
      if (current.port.post(message)) dispatch(actions.crossTabRelaySent({ tags: message.tags.length }))
      else logger.once('cross-tab-post-failed', 'warn', 'could not post a cross-tab relay message')
    }
  }

  const apply = (message: CrossTabMessage, current: Session) => {
    if (message.from === current.tabId) return
    if (message.kind === 'heartbeat') current.elector.heartbeat(message)
    else if (message.kind === 'bye') current.elector.bye(message)
    else {
      const invalidation = deps.api && store ? relayedInvalidation(deps.api, store.getState(), message.tags) : null
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
        const visible = selectors.selectRealtimeState(api.getState()).visible
        if (visible !== current.visible) {
          current.visible = visible
          current.elector.setVisible(visible)
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
      const changed = (view: ElectionView) => {
        dispatch(actions.crossTabRoleChanged({ ...view, at: env.clock.now() }))
        deps.role.set(view.role)
      }
      const elector = new Elector({
        clock: env.clock,
        logger,
        tabId,
        locks: env.locks ?? null,
        lockName: `${deps.channelName}:leader`,
        send: (message) => void port.post(message),
        changed,
        electionChanged: (election) => dispatch(actions.crossTabStarted({ tabId, election, at: env.clock.now() })),
      })
      session = { tabId, port, elector, unsubscribe: () => undefined, visible }
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
      dispatch(actions.crossTabStopped({ at: env.clock.now() }))
      deps.role.set('off')
    },
  }
}

export type CrossTab = ReturnType<typeof createCrossTab>
