import { thrownKind } from '../env/logger'
import type { FullTag } from '../router/tags'
import { dispatchTo, refreshCoverage, type CrossTabManager, type Session } from './crossTabManager'
import {
  invalidateMessages,
  parseMessage,
  type CrossTabMessage,
  type InvalidateMessage,
  type RelayCause,
} from './protocol'
import { peerReconnected } from './reconnectReports'
import { relayedInvalidation } from './relay'

/**
 * Posts the tags to the other tabs (split into messages of at most MAX_RELAY_TAGS), counting each message posted.
 * @internal
 */
export function relayTags(
  manager: CrossTabManager,
  current: Session,
  tags: FullTag[],
  cause: RelayCause = 'mutation',
): void {
  const { actions, logger } = manager.deps
  for (const message of invalidateMessages(current.tabId, tags, cause)) {
    if (current.port.post(message)) dispatchTo(manager, actions.crossTabRelaySent({ tags: message.tags.length }))
    else logger.once('cross-tab-post-failed', 'warn', 'could not post a cross-tab relay message')
  }
}

/**
 * Handles one raw message from the channel: parsed and applied, or counted and dropped; never throws.
 * @internal
 */
export function receiveMessage(manager: CrossTabManager, data: unknown): void {
  const current = manager.session
  if (!current) return
  const { actions, logger } = manager.deps
  try {
    const parsed = parseMessage(data)
    if (parsed.ok) applyMessage(manager, parsed.message, current)
    else {
      logger.once(`cross-tab-drop:${parsed.reason}`, 'warn', `dropped a cross-tab message (${parsed.reason})`)
      dispatchTo(manager, actions.crossTabMessageDropped({ reason: parsed.reason }))
    }
  } catch (error) {
    logger.once('cross-tab-receive-threw', 'warn', 'a cross-tab message could not be handled', {
      error: thrownKind(error),
    })
  }
}

/**
 * Heartbeats and byes feed the election and poll sharing; relays invalidate the tags this tab's
 * cache provides; a `connected` report from any tab (leader or not) may end this tab's retry wait.
 */
function applyMessage(manager: CrossTabManager, message: CrossTabMessage, current: Session): void {
  if (message.from === current.tabId) return
  if (message.kind === 'heartbeat') {
    current.sharing.heard(message)
    current.elector.heartbeat(message)
    refreshCoverage(manager, current)
  } else if (message.kind === 'bye') {
    current.sharing.forget(message.from)
    current.elector.bye(message)
    refreshCoverage(manager, current)
  } else if (message.kind === 'connected') {
    peerReconnected(manager, message)
  } else {
    applyRelay(manager, message, current)
  }
}

function applyRelay(manager: CrossTabManager, message: InvalidateMessage, current: Session): void {
  const { api, actions } = manager.deps
  const store = manager.store
  // A poll relay is for visible tabs that poll: a hidden tab keeps its own hidden cadence.
  const accepted = message.cause !== 'poll' || current.sharing.acceptsPollRelay()
  const invalidation = accepted && api && store ? relayedInvalidation(api, store.getState(), message.tags) : null
  dispatchTo(manager, actions.crossTabRelayReceived({ applied: invalidation !== null }))
  if (invalidation) dispatchTo(manager, invalidation)
}
