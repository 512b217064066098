import type { PayloadAction } from '@reduxjs/toolkit'
import type { CrossTabRole, CrossTabState, RealtimeState } from './state'

/** What the cross-tab manager reports when leadership or the set of tabs changes. */
export interface CrossTabRoleReport {
  role: Exclude<CrossTabRole, 'off'>
  leaderId: string | null
  peers: number
  at: number
}

/**
 * The cross-tab part of the slice: past-tense events from the cross-tab manager
 * (`src/crossTab/`). Reducers never read a clock: role changes carry `at`.
 */
export const crossTabReducers = {
  crossTabStarted(
    state: RealtimeState,
    action: PayloadAction<{ tabId: string; election: NonNullable<CrossTabState['election']>; at: number }>,
  ) {
    state.crossTab.tabId = action.payload.tabId
    state.crossTab.election = action.payload.election
  },
  crossTabRoleChanged(state: RealtimeState, action: PayloadAction<CrossTabRoleReport>) {
    const crossTab = state.crossTab
    const { role, leaderId, peers, at } = action.payload
    if (role === 'leader' && crossTab.role !== 'leader') crossTab.leaderSince = at
    if (role !== 'leader') crossTab.leaderSince = null
    crossTab.role = role
    crossTab.leaderId = leaderId
    crossTab.peers = Math.max(0, peers)
  },
  crossTabStopped(state: RealtimeState, action: PayloadAction<{ at: number }>) {
    void action
    state.crossTab.role = 'off'
    state.crossTab.leaderId = null
    state.crossTab.leaderSince = null
    state.crossTab.peers = 0
  },
  /** One relay message posted (a large invalidation may take several). */
  crossTabRelaySent(state: RealtimeState, action: PayloadAction<{ tags: number }>) {
    void action
    state.crossTab.relaysSent += 1
  },
  crossTabRelayReceived(state: RealtimeState, action: PayloadAction<{ applied: boolean }>) {
    state.crossTab.relaysReceived += 1
    if (action.payload.applied) state.crossTab.relaysApplied += 1
  },
  /**
   * Another tab's connection became `connected` after not being connected. A fact for the
   * connection saga (a retry wait may end early, see `retryWokenByPeer`); the slice keeps nothing.
   */
  crossTabPeerConnected(_state: RealtimeState, _action: PayloadAction<{ from: string; at: number }>) {},
  /** A malformed or unsupported message: counted, logged once per reason by the manager, skipped. */
  crossTabMessageDropped(state: RealtimeState, action: PayloadAction<{ reason: string }>) {
    void action
    state.crossTab.relaysDropped += 1
  },
}
