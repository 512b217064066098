import type { MiddlewareAPI, UnknownAction } from '@reduxjs/toolkit'
import type { BroadcastPort } from '../env/broadcast'
import type { RealtimeEnvironment } from '../env/environment'
import type { Logger } from '../env/logger'
import type { FullTag } from '../router/tags'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import type { RtkqApi } from '../rtkq/rtkqApi'
import type { Elector } from './elector'
import type { PollSharing } from './pollSharing'
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

/** This tab's membership of the cross-tab channel, from `start()` to `stop()`. */
export interface Session {
  tabId: string
  port: BroadcastPort
  elector: Elector
  sharing: PollSharing
  unsubscribe: () => void
  visible: boolean
}

/** The mutable state of one cross-tab manager, shared by its relay handling and its session wiring. */
export interface CrossTabManager {
  readonly deps: CrossTabDeps
  /** The store carrying the middleware; null until the middleware is added. */
  store: MiddlewareAPI | null
  /** The current session; null while stopped. */
  session: Session | null
}

/**
 * Dispatches to the store carrying the middleware (a no-op before it is added).
 * @internal
 */
export function dispatchTo(manager: CrossTabManager, action: UnknownAction): void {
  manager.store?.dispatch(action)
}

/**
 * Tells the polling scheduler whether the leader polls for this tab (it replans on a change).
 * @internal
 */
export function refreshCoverage(manager: CrossTabManager, current: Session): void {
  if (manager.session === current) manager.deps.role.setCovered(current.sharing.covered())
}
