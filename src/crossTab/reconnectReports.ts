import type { UnknownAction } from '@reduxjs/toolkit'
import { dispatchTo, type CrossTabManager, type Session } from './crossTabManager'
import type { ConnectedMessage } from './protocol'

/** Whether this tab's own connection is `connected` now. */
function isConnected(manager: CrossTabManager): boolean {
  const store = manager.store
  return store !== null && manager.deps.selectors.selectConnectionState(store.getState()) === 'connected'
}

/**
 * True when `action` may bring this tab's connection back: a `connectionOpened` while it is not
 * `connected`. Read before the action reaches the slice (one type check for any other action).
 * @internal
 */
export function mayReconnect(manager: CrossTabManager, action: UnknownAction): boolean {
  return manager.deps.actions.connectionOpened.match(action) && !isConnected(manager)
}

/** A port that throws (an app's own `env.broadcastChannel`) is a failed post, never an error in the dispatch. */
function postQuietly(current: Session, message: ConnectedMessage): boolean {
  try {
    return current.port.post(message)
  } catch {
    return false
  }
}

/**
 * After an action that {@link mayReconnect}: if the connection is `connected` now, tells the other
 * tabs once (`{ v: 1, kind: 'connected', from }`). Probes never come here: only the transition does.
 * @internal
 */
export function announceReconnected(manager: CrossTabManager, current: Session): void {
  if (!isConnected(manager)) return
  const message: ConnectedMessage = { v: 1, kind: 'connected', from: current.tabId }
  if (!postQuietly(current, message)) {
    const { logger } = manager.deps
    logger.once('cross-tab-connected-post-failed', 'warn', 'could not tell the other tabs that the connection is back')
  }
}

/**
 * Another tab's connection came back: the server is reachable again. Reported to the store as a
 * fact; the connection saga decides whether it ends a retry wait (only `reconnecting` or
 * `suspended` waits, at most once per burst).
 * @internal
 */
export function peerReconnected(manager: CrossTabManager, message: ConnectedMessage): void {
  const { actions, env } = manager.deps
  dispatchTo(manager, actions.crossTabPeerConnected({ from: message.from, at: env.clock.now() }))
}
