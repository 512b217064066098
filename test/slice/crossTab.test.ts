import { configureStore } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import { createRealtimeSlice } from '../../src/slice/realtimeSlice'
import { selectCrossTab } from '../../src/slice/defaultSelectors'
import { initialCrossTab } from '../../src/slice/state'
import { FakeClock } from '../support/fakeClock'

function setup() {
  const slice = createRealtimeSlice('realtime', true, new FakeClock(0))
  const store = configureStore({ reducer: { realtime: slice.reducer } })
  return { actions: slice.actions, dispatch: store.dispatch, crossTab: () => selectCrossTab(store.getState()) }
}

describe('realtime slice: cross-tab', () => {
  it("starts 'off' with zero counters", () => {
    const { crossTab } = setup()
    expect(crossTab()).toEqual(initialCrossTab())
    expect(crossTab()).toEqual({
      role: 'off',
      tabId: null,
      election: null,
      leaderId: null,
      leaderSince: null,
      peers: 0,
      relaysSent: 0,
      relaysReceived: 0,
      relaysApplied: 0,
      relaysDropped: 0,
    })
  })

  it('records the tab id and election on start, and the role, leader and peers on every change', () => {
    const { actions, dispatch, crossTab } = setup()
    dispatch(actions.crossTabStarted({ tabId: 'tab-a', election: 'locks', at: 1 }))
    dispatch(actions.crossTabRoleChanged({ role: 'solo', leaderId: 'tab-a', peers: 0, at: 2 }))
    expect(crossTab()).toMatchObject({
      tabId: 'tab-a',
      election: 'locks',
      role: 'solo',
      leaderId: 'tab-a',
      leaderSince: null,
      peers: 0,
    })
    dispatch(actions.crossTabRoleChanged({ role: 'follower', leaderId: 'tab-b', peers: 2, at: 3 }))
    expect(crossTab()).toMatchObject({ role: 'follower', leaderId: 'tab-b', peers: 2, leaderSince: null })
  })

  it('stamps leaderSince when the tab becomes leader, keeps it while it leads, and clears it after', () => {
    const { actions, dispatch, crossTab } = setup()
    dispatch(actions.crossTabRoleChanged({ role: 'leader', leaderId: 'tab-a', peers: 1, at: 100 }))
    dispatch(actions.crossTabRoleChanged({ role: 'leader', leaderId: 'tab-a', peers: 2, at: 200 }))
    expect(crossTab().leaderSince).toBe(100)
    dispatch(actions.crossTabRoleChanged({ role: 'follower', leaderId: 'tab-b', peers: 2, at: 300 }))
    expect(crossTab().leaderSince).toBeNull()
  })

  it("goes back to 'off' on stop and keeps the counters", () => {
    const { actions, dispatch, crossTab } = setup()
    dispatch(actions.crossTabStarted({ tabId: 'tab-a', election: 'heartbeat', at: 1 }))
    dispatch(actions.crossTabRoleChanged({ role: 'leader', leaderId: 'tab-a', peers: 1, at: 2 }))
    dispatch(actions.crossTabRelaySent({ tags: 3 }))
    dispatch(actions.crossTabStopped({ at: 3 }))
    expect(crossTab()).toMatchObject({
      role: 'off',
      leaderId: null,
      leaderSince: null,
      peers: 0,
      relaysSent: 1,
      tabId: 'tab-a',
    })
  })

  it('counts relays sent, received, applied and dropped', () => {
    const { actions, dispatch, crossTab } = setup()
    dispatch(actions.crossTabRelaySent({ tags: 2 }))
    dispatch(actions.crossTabRelaySent({ tags: 1 }))
    dispatch(actions.crossTabRelayReceived({ applied: true }))
    dispatch(actions.crossTabRelayReceived({ applied: false }))
    dispatch(actions.crossTabMessageDropped({ reason: 'BAD_TAGS' }))
    expect(crossTab()).toMatchObject({ relaysSent: 2, relaysReceived: 2, relaysApplied: 1, relaysDropped: 1 })
  })
})
