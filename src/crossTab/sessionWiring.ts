import type { BroadcastPort } from '../env/broadcast'
import { thrownKind } from '../env/logger'
import type { Random } from '../env/random'
import { dispatchTo, refreshCoverage, type CrossTabDeps, type CrossTabManager, type Session } from './crossTabManager'
import { Elector, type ElectionView } from './elector'
import { PollSharing } from './pollSharing'
import { receiveMessage } from './relayHandling'

let instances = 0

/** A random id, unique among the instances of this process too. Lowest id wins ties. */
function newTabId(random: Random): string {
  instances += 1
  return `${Math.floor(random() * 0x1_0000_0000)
    .toString(36)
    .padStart(7, '0')}${instances.toString(36)}`
}

/** The origin's cross-tab channel; null when cross-tab is off, the host has none, or it cannot be opened. */
function openPort(deps: CrossTabDeps): BroadcastPort | null {
  const { env, logger } = deps
  if (!deps.enabled) return null
  if (!env.broadcastChannel) {
    logger.debug('cross-tab is off: this host has no BroadcastChannel')
    return null
  }
  try {
    return env.broadcastChannel(deps.channelName)
  } catch (error) {
    logger.once('cross-tab-open-failed', 'warn', 'could not open the cross-tab channel: cross-tab is off', {
      error: thrownKind(error),
    })
    return null
  }
}

/** The poll sharing of a session: what this tab polls and whether it is visible, read from the store. */
function createPollSharing(manager: CrossTabManager): PollSharing {
  const { env, selectors } = manager.deps
  return new PollSharing({
    now: () => env.clock.now(),
    ownPollTags: () => (manager.store ? manager.deps.ownPollTags(manager.store.getState()) : null),
    visible: () => (manager.store ? selectors.selectRealtimeState(manager.store.getState()).visible : false),
  })
}

/** The leader election of a session: its heartbeats carry this tab's polling state, its role changes reach the slice and the scheduler. */
function createElector(manager: CrossTabManager, tabId: string, port: BroadcastPort, sharing: PollSharing): Elector {
  const { env, logger, actions, channelName, role } = manager.deps
  const changed = (view: ElectionView) => {
    sharing.roleChanged(view.role, view.leaderId)
    dispatchTo(manager, actions.crossTabRoleChanged({ ...view, at: env.clock.now() }))
    role.set(view.role)
    if (manager.session) refreshCoverage(manager, manager.session)
  }
  return new Elector({
    clock: env.clock,
    logger,
    tabId,
    locks: env.locks ?? null,
    lockName: `${channelName}:leader`,
    // Heartbeats carry this tab's polling state, so the leader's poll can cover it.
    send: (message) => {
      if (message.kind !== 'heartbeat') return void port.post(message)
      port.post({ ...message, ...sharing.heartbeatFields() })
      if (manager.session) refreshCoverage(manager, manager.session)
    },
    changed,
    electionChanged: (election) =>
      dispatchTo(manager, actions.crossTabStarted({ tabId, election, at: env.clock.now() })),
  })
}

/**
 * Joins the other tabs: opens the channel, starts poll sharing and the election, and listens. The store must already carry the middleware.
 * @internal
 */
export function startSession(manager: CrossTabManager): void {
  const store = manager.store
  if (manager.session || !store) return
  const port = openPort(manager.deps)
  if (!port) return
  const { env, actions, selectors } = manager.deps
  const tabId = newTabId(env.random)
  const visible = selectors.selectRealtimeState(store.getState()).visible
  const sharing = createPollSharing(manager)
  const elector = createElector(manager, tabId, port, sharing)
  const session: Session = { tabId, port, elector, sharing, unsubscribe: () => undefined, visible }
  manager.session = session
  dispatchTo(manager, actions.crossTabStarted({ tabId, election: elector.election, at: env.clock.now() }))
  session.unsubscribe = port.subscribe((data) => receiveMessage(manager, data))
  elector.start(visible)
}

/**
 * Leaves the other tabs: stops the election, closes the channel, and reports the role `off`.
 * @internal
 */
export function stopSession(manager: CrossTabManager): void {
  const current = manager.session
  if (!current) return
  manager.session = null
  current.elector.stop()
  current.unsubscribe()
  current.port.close()
  current.sharing.clear()
  dispatchTo(manager, manager.deps.actions.crossTabStopped({ at: manager.deps.env.clock.now() }))
  manager.deps.role.setCovered(false)
  manager.deps.role.set('off')
}
