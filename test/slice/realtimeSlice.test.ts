import { configureStore } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { SerializedRealtimeError } from '../../src/errors/realtimeError'
import { createRealtimeSlice } from '../../src/slice/realtimeSlice'
import { connectionUptimeMs, createRealtimeSelectors } from '../../src/slice/selectors'
import { initialRealtimeState, RECENT_ERRORS_KEPT } from '../../src/slice/state'
import type { BroadcastEvent, PostgresChangesEvent } from '../../src/events/events'
import { FakeClock } from '../support/fakeClock'

const REDUCER_PATH = 'realtime'
const T0 = 1_700_000_000_000

function setup(enabled = true) {
  const clock = new FakeClock(T0)
  const slice = createRealtimeSlice(REDUCER_PATH, enabled, clock)
  const store = configureStore({ reducer: { [REDUCER_PATH]: slice.reducer } })
  const selectors = createRealtimeSelectors(REDUCER_PATH)
  const actions = slice.actions
  const root = () => store.getState()
  const channel = (topic: string) => selectors.selectChannel(topic)(root())
  return { clock, slice, store, selectors, actions, root, channel, dispatch: store.dispatch }
}

const channelError = (message = 'channel broke'): SerializedRealtimeError => ({
  type: 'CHANNEL_ERROR',
  message,
  retryable: true,
})
const networkError: SerializedRealtimeError = { type: 'NETWORK_ERROR', message: 'socket closed', retryable: true }
const authError: SerializedRealtimeError = { type: 'AUTHENTICATION_FAILED', message: 'jwt refused', retryable: false }

function broadcast(topic: string, receivedAt: number): BroadcastEvent {
  return { kind: 'broadcast', topic, receivedAt, event: 'GENERATIONS_UPDATED', payload: { projectId: '1' } }
}

function change(topic: string, receivedAt: number): PostgresChangesEvent {
  return {
    kind: 'postgres_changes',
    topic,
    receivedAt,
    schema: 'public',
    table: 'generations',
    eventType: 'UPDATE',
    commitTimestamp: '2024-01-01T00:00:00Z',
    new: { id: 1 },
    old: { id: 1 },
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('realtime slice: initial state', () => {
  it('starts idle when enabled', () => {
    const { selectors, root } = setup(true)
    expect(selectors.selectConnectionState(root())).toBe('idle')
    expect(selectors.selectRealtimeState(root())).toEqual(initialRealtimeState(true))
  })

  it('starts disabled when the kill switch is on', () => {
    const { selectors, root } = setup(false)
    expect(selectors.selectConnectionState(root())).toBe('disabled')
  })

  it('starts with no channels, no error, no poll cadence and zeroed metrics', () => {
    const { selectors, root } = setup()
    expect(selectors.selectChannels(root())).toEqual({})
    expect(selectors.selectLastError(root())).toBeNull()
    expect(selectors.selectRecentErrors(root())).toEqual([])
    expect(selectors.selectPollingInterval(root())).toBeNull()
    const metrics = selectors.selectMetrics(root())
    expect(metrics.reconnections).toBe(0)
    expect(metrics.averageReconnectMs).toBeNull()
    expect(metrics.activeChannels).toBe(0)
    expect(metrics.eventToInvalidation).toEqual({ count: 0, p50: null, p95: null, max: null })
  })
})

describe('realtime slice: subscribers', () => {
  it('counts subscribers per topic and in totalSubscriptions', () => {
    const { actions, dispatch, channel, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.subscriberAdded({ topic: 'project:2', private: true, at: T0 }))
    expect(channel('project:1')?.subscriberCount).toBe(2)
    expect(channel('project:2')?.subscriberCount).toBe(1)
    expect(selectors.selectMetrics(root()).totalSubscriptions).toBe(3)
  })

  it('creates a channel record in idle, carrying the private flag of its first subscriber', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'user:9', private: true, at: T0 }))
    expect(channel('user:9')).toMatchObject({
      topic: 'user:9',
      state: 'idle',
      private: true,
      subscriberCount: 1,
      lastMessageAt: null,
      lastError: null,
      joinedAt: null,
      gapMs: null,
    })
  })

  it('decrements the topic’s subscriber count on subscriberRemoved but keeps the channel for the saga to remove', () => {
    const { actions, dispatch, channel, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.subscriberRemoved({ topic: 'project:1', at: T0 }))
    expect(channel('project:1')?.subscriberCount).toBe(1)
    dispatch(actions.subscriberRemoved({ topic: 'project:1', at: T0 }))
    expect(channel('project:1')?.subscriberCount).toBe(0)
    expect(channel('project:1')).toBeDefined()
    // totalSubscriptions counts subscriptions made, not those alive.
    expect(selectors.selectMetrics(root()).totalSubscriptions).toBe(2)
  })

  it('never lets a subscriber count go below zero', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.subscriberRemoved({ topic: 'project:1', at: T0 }))
    dispatch(actions.subscriberRemoved({ topic: 'project:1', at: T0 }))
    expect(channel('project:1')?.subscriberCount).toBe(0)
  })

  it('forgets every channel no longer wanted on registryReset, keeping connection and metrics', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.subscriberAdded({ topic: 'b', private: true, at: T0 }))
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.registryReset({ topics: [], at: T0 + 1 }))
    expect(selectors.selectChannels(root())).toEqual({})
    expect(selectors.selectConnectionState(root())).toBe('connecting')
    expect(selectors.selectMetrics(root()).totalSubscriptions).toBe(2)
  })

  it('ignores subscriberRemoved for a topic it does not know', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.subscriberRemoved({ topic: 'nobody', at: T0 }))
    expect(selectors.selectChannels(root())).toEqual({})
  })
})

describe('realtime slice: channel lifecycle', () => {
  it('marks a channel subscribing on channelJoinStarted and records the attempt', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.channelJoinStarted({ topic: 'project:1', attempt: 2, at: T0 }))
    expect(channel('project:1')).toMatchObject({ state: 'subscribing', attempt: 2, nextRetryAt: null })
  })

  it('does not create a channel for a join on an unknown topic', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.channelJoinStarted({ topic: 'ghost', attempt: 0, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'ghost', at: T0 }))
    expect(channel('ghost')).toBeUndefined()
  })

  it('treats the first SUBSCRIBED as resumed with no gap', () => {
    const { actions, dispatch, channel, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.channelJoinStarted({ topic: 'project:1', attempt: 0, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 + 120 }))
    expect(channel('project:1')).toMatchObject({
      state: 'subscribed',
      resumed: true,
      gapMs: null,
      joinedAt: T0 + 120,
      joins: 1,
      attempt: 0,
    })
    expect(selectors.selectMetrics(root()).activeChannels).toBe(1)
  })

  it('still treats the first SUBSCRIBED as resumed when earlier join attempts failed', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.channelErrored({ topic: 'project:1', error: channelError(), retryInMs: 500, at: T0 + 10 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 + 900 }))
    expect(channel('project:1')).toMatchObject({ resumed: true, gapMs: null, lostAt: null })
  })

  it('marks a rejoin after an error as not resumed, with the gap measured from the first loss', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 }))
    dispatch(actions.channelErrored({ topic: 'project:1', error: channelError(), retryInMs: 700, at: T0 + 5_000 }))
    dispatch(actions.channelJoinStarted({ topic: 'project:1', attempt: 1, at: T0 + 5_700 }))
    dispatch(actions.channelErrored({ topic: 'project:1', error: channelError(), retryInMs: 1500, at: T0 + 6_000 }))
    dispatch(actions.channelClosed({ topic: 'project:1', at: T0 + 6_500 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 + 9_000 }))
    expect(channel('project:1')).toMatchObject({
      state: 'subscribed',
      resumed: false,
      gapMs: 4_000,
      joinedAt: T0 + 9_000,
      lostAt: null,
      joins: 2,
      attempt: 0,
      nextRetryAt: null,
    })
  })

  it('marks a rejoin after an unexpected close as not resumed, with the gap from the close', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 }))
    dispatch(actions.channelClosed({ topic: 'project:1', at: T0 + 1_000 }))
    expect(channel('project:1')).toMatchObject({ state: 'closed', lostAt: T0 + 1_000, nextRetryAt: null })
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 + 3_500 }))
    expect(channel('project:1')).toMatchObject({ resumed: false, gapMs: 2_500 })
  })

  it('measures each gap on its own: a second gap does not include the first', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 }))
    dispatch(actions.channelClosed({ topic: 'project:1', at: T0 + 1_000 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 + 2_000 }))
    dispatch(actions.channelClosed({ topic: 'project:1', at: T0 + 10_000 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 + 10_300 }))
    expect(channel('project:1')).toMatchObject({ resumed: false, gapMs: 300, joins: 3 })
  })

  it('records a channel error on the channel and in lastError, recentErrors and errorsByType', () => {
    const { actions, dispatch, channel, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 }))
    dispatch(actions.channelErrored({ topic: 'project:1', error: channelError('boom'), retryInMs: 1_234, at: T0 + 50 }))
    const expected = { type: 'CHANNEL_ERROR', message: 'boom', retryable: true, at: T0 + 50, topic: 'project:1' }
    expect(channel('project:1')).toMatchObject({
      state: 'error',
      lastError: expected,
      nextRetryAt: T0 + 50 + 1_234,
      lostAt: T0 + 50,
    })
    expect(selectors.selectLastError(root())).toEqual(expected)
    expect(selectors.selectRecentErrors(root())).toEqual([expected])
    expect(selectors.selectMetrics(root()).errorsByType).toEqual({ CHANNEL_ERROR: 1 })
    expect(selectors.selectMetrics(root()).activeChannels).toBe(0)
  })

  it('clears the lastError of a channel once it joins again, and keeps the error in recentErrors', () => {
    const { actions, dispatch, channel, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.channelErrored({ topic: 'project:1', error: channelError('boom'), retryInMs: 500, at: T0 + 50 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 + 90_000 }))
    expect(channel('project:1')).toMatchObject({ state: 'subscribed', lastError: null })
    expect(selectors.selectRecentErrors(root())).toEqual([
      { type: 'CHANNEL_ERROR', message: 'boom', retryable: true, at: T0 + 50, topic: 'project:1' },
    ])
  })

  it('leaves nextRetryAt empty when a channel error will not be retried', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'user:1', private: true, at: T0 }))
    dispatch(actions.channelErrored({ topic: 'user:1', error: authError, retryInMs: null, at: T0 }))
    expect(channel('user:1')?.nextRetryAt).toBeNull()
  })

  it('still records an error reported for a topic it does not know, without creating a channel', () => {
    const { actions, dispatch, channel, selectors, root } = setup()
    dispatch(actions.channelErrored({ topic: 'ghost', error: channelError(), retryInMs: 100, at: T0 }))
    expect(channel('ghost')).toBeUndefined()
    expect(selectors.selectLastError(root())).toMatchObject({ topic: 'ghost', type: 'CHANNEL_ERROR' })
  })

  it('keeps the 10 most recent errors, newest first', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    for (let i = 1; i <= 12; i++) {
      dispatch(actions.channelErrored({ topic: 'project:1', error: channelError(`e${i}`), retryInMs: 100, at: T0 + i }))
    }
    const recent = selectors.selectRecentErrors(root())
    expect(RECENT_ERRORS_KEPT).toBe(10)
    expect(recent).toHaveLength(10)
    expect(recent.map((error) => error.message)).toEqual([
      'e12',
      'e11',
      'e10',
      'e9',
      'e8',
      'e7',
      'e6',
      'e5',
      'e4',
      'e3',
    ])
    expect(selectors.selectLastError(root())?.message).toBe('e12')
    expect(selectors.selectMetrics(root()).errorsByType.CHANNEL_ERROR).toBe(12)
  })

  it('counts errors by type across channel and connection errors', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.channelErrored({ topic: 'a', error: channelError(), retryInMs: 1, at: T0 }))
    dispatch(actions.reconnectScheduled({ attempt: 0, maxRetries: 3, delayMs: 10, error: networkError, at: T0 }))
    dispatch(actions.reconnectScheduled({ attempt: 1, maxRetries: 3, delayMs: 10, error: networkError, at: T0 }))
    dispatch(actions.connectionFailed({ error: authError, at: T0 }))
    expect(selectors.selectMetrics(root()).errorsByType).toEqual({
      CHANNEL_ERROR: 1,
      NETWORK_ERROR: 2,
      AUTHENTICATION_FAILED: 1,
    })
  })

  it('deletes a channel on channelRemoved', () => {
    const { actions, dispatch, channel, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'project:1', private: false, at: T0 }))
    dispatch(actions.subscriberAdded({ topic: 'project:2', private: false, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'project:1', at: T0 }))
    dispatch(actions.channelRemoved({ topic: 'project:1', at: T0 }))
    expect(channel('project:1')).toBeUndefined()
    expect(Object.keys(selectors.selectChannels(root()))).toEqual(['project:2'])
    expect(selectors.selectMetrics(root()).activeChannels).toBe(0)
  })

  it('ignores channelRemoved for a topic it does not know', () => {
    const { actions, dispatch, selectors, root } = setup()
    const before = root()
    dispatch(actions.channelRemoved({ topic: 'ghost', at: T0 }))
    expect(selectors.selectRealtimeState(root())).toEqual(selectors.selectRealtimeState(before))
  })
})

describe('realtime slice: connection', () => {
  it('moves idle → connecting → connected and stamps connectionSince on each change', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 + 1 }))
    expect(selectors.selectConnectionState(root())).toBe('connecting')
    expect(selectors.selectRealtimeState(root()).connectionSince).toBe(T0 + 1)
    dispatch(actions.connectionOpened({ at: T0 + 40 }))
    expect(selectors.selectConnectionState(root())).toBe('connected')
    expect(selectors.selectRealtimeState(root()).connectionSince).toBe(T0 + 40)
  })

  it('does not move connectionSince when an event leaves the connection where it was', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 + 1 }))
    dispatch(actions.connectionOpened({ at: T0 + 40 }))
    dispatch(actions.connectionOpened({ at: T0 + 90 }))
    expect(selectors.selectRealtimeState(root()).connectionSince).toBe(T0 + 40)
  })

  it('does not count the first connection as a reconnection', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 + 40 }))
    expect(selectors.selectMetrics(root())).toMatchObject({ reconnections: 0, averageReconnectMs: null })
  })

  it('schedules a reconnect: reconnecting, attempt, nextRetryAt and the error recorded', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 }))
    dispatch(
      actions.reconnectScheduled({ attempt: 1, maxRetries: 3, delayMs: 1_500, error: networkError, at: T0 + 100 }),
    )
    const state = selectors.selectRealtimeState(root())
    expect(state).toMatchObject({ connection: 'reconnecting', attempt: 1, nextRetryAt: T0 + 1_600 })
    expect(state.lastError).toEqual({ ...networkError, at: T0 + 100 })
    expect(state.lastError).not.toHaveProperty('topic')
  })

  it('suspends once a reconnect is scheduled at maxRetries', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.reconnectScheduled({ attempt: 3, maxRetries: 3, delayMs: 10_000, error: networkError, at: T0 }))
    expect(selectors.selectConnectionState(root())).toBe('suspended')
  })

  it('counts a reconnection and its duration when the connection opens after reconnectScheduled', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 + 100 }))
    dispatch(
      actions.reconnectScheduled({ attempt: 0, maxRetries: 3, delayMs: 400, error: networkError, at: T0 + 10_000 }),
    )
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 + 10_400 }))
    dispatch(
      actions.reconnectScheduled({ attempt: 1, maxRetries: 3, delayMs: 900, error: networkError, at: T0 + 10_500 }),
    )
    dispatch(actions.connectionAttemptStarted({ attempt: 1, at: T0 + 11_400 }))
    dispatch(actions.connectionOpened({ at: T0 + 12_000 }))
    const metrics = selectors.selectMetrics(root())
    expect(metrics.reconnections).toBe(1)
    expect(metrics.reconnectTimeTotalMs).toBe(2_000)
    expect(metrics.averageReconnectMs).toBe(2_000)
    expect(selectors.selectRealtimeState(root())).toMatchObject({
      connection: 'connected',
      attempt: 0,
      nextRetryAt: null,
    })
  })

  it('averages the duration of several reconnections', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 }))
    dispatch(actions.reconnectScheduled({ attempt: 0, maxRetries: 3, delayMs: 0, error: networkError, at: T0 + 1_000 }))
    dispatch(actions.connectionOpened({ at: T0 + 2_000 }))
    dispatch(actions.reconnectScheduled({ attempt: 0, maxRetries: 3, delayMs: 0, error: networkError, at: T0 + 5_000 }))
    dispatch(actions.connectionOpened({ at: T0 + 8_000 }))
    expect(selectors.selectMetrics(root())).toMatchObject({
      reconnections: 2,
      reconnectTimeTotalMs: 4_000,
      averageReconnectMs: 2_000,
    })
  })

  it('accumulates uptime over connected periods only', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 + 1_000 }))
    dispatch(actions.reconnectScheduled({ attempt: 0, maxRetries: 3, delayMs: 0, error: networkError, at: T0 + 4_000 }))
    let metrics = selectors.selectMetrics(root())
    expect(metrics.uptimeMs).toBe(3_000)
    expect(connectionUptimeMs(metrics, T0 + 6_000)).toBe(3_000)
    dispatch(actions.connectionOpened({ at: T0 + 6_000 }))
    metrics = selectors.selectMetrics(root())
    expect(metrics.connectedAt).toBe(T0 + 6_000)
    expect(connectionUptimeMs(metrics, T0 + 6_500)).toBe(3_500)
    dispatch(actions.connectionIdled({ at: T0 + 8_000 }))
    metrics = selectors.selectMetrics(root())
    expect(metrics.uptimeMs).toBe(5_000)
    expect(metrics.connectedAt).toBeNull()
    expect(connectionUptimeMs(metrics, T0 + 60_000)).toBe(5_000)
  })

  it('does not count a connection after going idle as a reconnection', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 }))
    dispatch(actions.connectionIdled({ at: T0 + 1_000 }))
    expect(selectors.selectConnectionState(root())).toBe('idle')
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 + 50_000 }))
    dispatch(actions.connectionOpened({ at: T0 + 50_100 }))
    expect(selectors.selectMetrics(root()).reconnections).toBe(0)
  })

  it('does not count the time the kill switch was on as a reconnection', async () => {
    const { actions, dispatch, selectors, root, clock } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 }))
    dispatch(actions.disable())
    await clock.advance(3_600_000)
    dispatch(actions.enable())
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 + 3_600_000 }))
    dispatch(actions.connectionOpened({ at: T0 + 3_600_200 }))
    expect(selectors.selectMetrics(root())).toMatchObject({ reconnections: 0, averageReconnectMs: null })
  })

  it('fails for good on connectionFailed and ignores connection attempts until the session changes', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionFailed({ error: authError, topic: 'user:1', at: T0 + 10 }))
    expect(selectors.selectRealtimeState(root())).toMatchObject({ connection: 'failed', nextRetryAt: null })
    expect(selectors.selectLastError(root())).toEqual({ ...authError, at: T0 + 10, topic: 'user:1' })
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 + 20 }))
    dispatch(actions.connectionOpened({ at: T0 + 30 }))
    expect(selectors.selectConnectionState(root())).toBe('failed')
    dispatch(actions.sessionChanged({ at: T0 + 40 }))
    expect(selectors.selectConnectionState(root())).toBe('connecting')
  })

  it('resets the attempt and next retry when the connection goes idle', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.reconnectScheduled({ attempt: 2, maxRetries: 3, delayMs: 3_000, error: networkError, at: T0 }))
    dispatch(actions.connectionIdled({ at: T0 + 100 }))
    expect(selectors.selectRealtimeState(root())).toMatchObject({ connection: 'idle', attempt: 0, nextRetryAt: null })
  })
})

describe('realtime slice: public commands', () => {
  it('stamps enable, disable, recover, setVisibility and setOnline with the injected clock', async () => {
    const { actions, clock } = setup()
    expect(actions.enable().meta.at).toBe(T0)
    await clock.advance(1_234)
    expect(actions.disable().meta.at).toBe(T0 + 1_234)
    expect(actions.recover().meta.at).toBe(T0 + 1_234)
    await clock.advance(1)
    expect(actions.setVisibility(false)).toMatchObject({ payload: false, meta: { at: T0 + 1_235 } })
    expect(actions.setOnline(false)).toMatchObject({ payload: false, meta: { at: T0 + 1_235 } })
  })

  it('uses the clock’s time for connectionSince when a command changes the connection', async () => {
    const { actions, clock, dispatch, selectors, root } = setup()
    await clock.advance(5_000)
    dispatch(actions.disable())
    expect(selectors.selectRealtimeState(root()).connectionSince).toBe(T0 + 5_000)
  })

  it('closes every channel and turns the connection off on disable()', async () => {
    const { actions, dispatch, selectors, root, channel, clock } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.subscriberAdded({ topic: 'b', private: false, at: T0 }))
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 }))
    dispatch(actions.channelErrored({ topic: 'b', error: channelError(), retryInMs: 900, at: T0 + 10 }))
    await clock.advance(2_000)
    dispatch(actions.disable())
    expect(selectors.selectRealtimeState(root())).toMatchObject({
      connection: 'disabled',
      attempt: 0,
      nextRetryAt: null,
    })
    expect(channel('a')).toMatchObject({ state: 'closed', nextRetryAt: null, lostAt: T0 + 2_000, subscriberCount: 1 })
    expect(channel('b')).toMatchObject({ state: 'closed', nextRetryAt: null, lostAt: T0 + 10 })
    expect(selectors.selectMetrics(root()).activeChannels).toBe(0)
    expect(selectors.selectMetrics(root()).uptimeMs).toBe(2_000)
  })

  it('stays disabled whatever a torn-down socket reports late', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.disable())
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 }))
    dispatch(actions.reconnectScheduled({ attempt: 0, maxRetries: 3, delayMs: 10, error: networkError, at: T0 }))
    dispatch(actions.recover())
    dispatch(actions.sessionChanged({ at: T0 }))
    expect(selectors.selectConnectionState(root())).toBe('disabled')
  })

  it('goes back to idle on enable() after disable()', () => {
    const { actions, dispatch, selectors, root } = setup(false)
    dispatch(actions.enable())
    expect(selectors.selectConnectionState(root())).toBe('idle')
  })

  it('marks the first join after the kill switch as not resumed, with the gap from disable()', async () => {
    const { actions, dispatch, channel, clock } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 }))
    await clock.advance(1_000)
    dispatch(actions.disable())
    await clock.advance(29_000)
    dispatch(actions.enable())
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 + 31_000 }))
    expect(channel('a')).toMatchObject({ resumed: false, gapMs: 30_000 })
  })

  it('resets the attempt and next retry on recover() and starts connecting again', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.reconnectScheduled({ attempt: 3, maxRetries: 3, delayMs: 12_000, error: networkError, at: T0 }))
    expect(selectors.selectRealtimeState(root())).toMatchObject({
      connection: 'suspended',
      attempt: 3,
      nextRetryAt: T0 + 12_000,
    })
    dispatch(actions.recover())
    expect(selectors.selectRealtimeState(root())).toMatchObject({
      connection: 'connecting',
      attempt: 0,
      nextRetryAt: null,
    })
  })

  it('leaves failed for connecting on recover()', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.connectionFailed({ error: authError, at: T0 }))
    dispatch(actions.recover())
    expect(selectors.selectConnectionState(root())).toBe('connecting')
  })

  it('records visibility and online status', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.setVisibility(false))
    dispatch(actions.setOnline(false))
    expect(selectors.selectRealtimeState(root())).toMatchObject({ visible: false, online: false })
    dispatch(actions.setVisibility(true))
    dispatch(actions.setOnline(true))
    expect(selectors.selectRealtimeState(root())).toMatchObject({ visible: true, online: true })
  })

  it('keeps subscription requests out of the state (the registry saga handles them)', () => {
    const { actions, dispatch, selectors, root } = setup()
    const before = selectors.selectRealtimeState(root())
    dispatch(actions.subscriptionRequested({ id: 's1', spec: { topic: 'project:1', tags: ['Project'] } }))
    dispatch(actions.subscriptionReleased({ id: 's1' }))
    expect(selectors.selectRealtimeState(root())).toBe(before)
  })
})

describe('realtime slice: traffic', () => {
  it('counts received events, stamps lastEventAt and each channel’s lastMessageAt', () => {
    const { actions, dispatch, selectors, root, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.subscriberAdded({ topic: 'b', private: false, at: T0 }))
    dispatch(
      actions.eventsReceived({
        events: [broadcast('a', T0 + 1), change('b', T0 + 2), change('a', T0 + 5), broadcast('ghost', T0 + 6)],
        at: T0 + 16,
      }),
    )
    const metrics = selectors.selectMetrics(root())
    expect(metrics.messagesReceived).toBe(4)
    expect(metrics.lastEventAt).toBe(T0 + 16)
    expect(channel('a')?.lastMessageAt).toBe(T0 + 5)
    expect(channel('b')?.lastMessageAt).toBe(T0 + 2)
    expect(channel('ghost')).toBeUndefined()
  })

  it('copies only the channels a batch stamps, and keeps the state frozen', () => {
    const { actions, dispatch, selectors, root, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.subscriberAdded({ topic: 'b', private: false, at: T0 }))
    const before = selectors.selectRealtimeState(root())
    dispatch(actions.eventsReceived({ events: [broadcast('a', T0 + 1)], at: T0 + 2 }))
    const after = selectors.selectRealtimeState(root())
    expect(channel('b')).toBe(before.channels.b)
    expect(after.history).toBe(before.history)
    expect(after.metrics.eventToRefetchMs).toBe(before.metrics.eventToRefetchMs)
    expect([after, after.channels, channel('a'), after.metrics].every(Object.isFrozen)).toBe(true)
  })

  it('changes nothing but the counters and lastMessageAt (what the router lets skip its listeners)', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 + 1 }))
    const before = selectors.selectRealtimeState(root())
    dispatch(actions.eventsReceived({ events: [broadcast('a', T0 + 5), change('ghost', T0 + 6)], at: T0 + 7 }))
    const after = selectors.selectRealtimeState(root())
    expect(after).toEqual({
      ...before,
      channels: { a: { ...before.channels.a, lastMessageAt: T0 + 5 } },
      metrics: { ...before.metrics, messagesReceived: before.metrics.messagesReceived + 2, lastEventAt: T0 + 7 },
    })
    expect(after.sources).toBe(before.sources)
  })

  it('answers a batch that is not a list by changing nothing', () => {
    const { actions, dispatch, selectors, root } = setup()
    const before = selectors.selectRealtimeState(root())
    const events = 'not a list' as unknown as BroadcastEvent[]
    expect(() => dispatch(actions.eventsReceived({ events, at: T0 + 6 }))).not.toThrow()
    expect(selectors.selectRealtimeState(root())).toBe(before)
  })

  it('adds up received events over batches', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.eventsReceived({ events: [broadcast('a', T0)], at: T0 + 16 }))
    dispatch(actions.eventsReceived({ events: [broadcast('a', T0 + 20), broadcast('a', T0 + 21)], at: T0 + 32 }))
    expect(selectors.selectMetrics(root())).toMatchObject({ messagesReceived: 3, lastEventAt: T0 + 32 })
  })

  it('ignores an empty batch', () => {
    const { actions, dispatch, selectors, root } = setup()
    const before = selectors.selectRealtimeState(root())
    dispatch(actions.eventsReceived({ events: [], at: T0 + 16 }))
    expect(selectors.selectRealtimeState(root())).toBe(before)
  })

  it('counts a sent broadcast as a message sent', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.broadcastSent({ topic: 'a', event: 'PING', status: 'ok', at: T0 }))
    dispatch(actions.broadcastSent({ topic: 'a', event: 'PING', status: 'ok', at: T0 }))
    expect(selectors.selectMetrics(root())).toMatchObject({ messagesSent: 2, errorsByType: {} })
  })

  it('counts a timed-out broadcast as BROADCAST_TIMEOUT and not as sent', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.broadcastSent({ topic: 'a', event: 'PING', status: 'timed out', at: T0 }))
    expect(selectors.selectMetrics(root())).toMatchObject({ messagesSent: 0, errorsByType: { BROADCAST_TIMEOUT: 1 } })
  })

  it('counts a failed broadcast as BROADCAST_ERROR and not as sent', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.broadcastSent({ topic: 'a', event: 'PING', status: 'error', at: T0 }))
    dispatch(actions.broadcastSent({ topic: 'a', event: 'PING', status: 'error', at: T0 }))
    expect(selectors.selectMetrics(root())).toMatchObject({ messagesSent: 0, errorsByType: { BROADCAST_ERROR: 2 } })
  })

  it('counts a malformed message as skipped, without touching lastError', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.malformedMessageSkipped({ topic: 'a', reason: 'missing table', at: T0 }))
    dispatch(actions.malformedMessageSkipped({ topic: 'a', reason: 'payload too large', at: T0 }))
    expect(selectors.selectMetrics(root())).toMatchObject({
      eventsMalformed: 2,
      errorsByType: { MALFORMED_MESSAGE: 2 },
    })
    expect(selectors.selectLastError(root())).toBeNull()
  })

  it('reports the poll cadence through selectPollingInterval', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.pollCadenceChanged({ intervalMs: 7_500 }))
    expect(selectors.selectPollingInterval(root())).toBe(7_500)
    expect(selectors.selectMetrics(root()).pollIntervalMs).toBe(7_500)
    dispatch(actions.pollCadenceChanged({ intervalMs: null }))
    expect(selectors.selectPollingInterval(root())).toBeNull()
  })

  it('summarises recorded latencies as p50/p95/max in selectMetrics, one histogram per metric', () => {
    const { actions, dispatch, selectors, root } = setup()
    for (let ms = 1; ms <= 100; ms++) dispatch(actions.latencyRecorded({ metric: 'eventToInvalidationMs', ms }))
    dispatch(actions.latencyRecorded({ metric: 'eventToRefetchMs', ms: 250 }))
    const metrics = selectors.selectMetrics(root())
    expect(metrics.eventToInvalidation.count).toBe(100)
    expect(metrics.eventToInvalidation.max).toBe(100)
    expect(metrics.eventToInvalidation.p50).toBeGreaterThanOrEqual(50)
    expect(metrics.eventToInvalidation.p50).toBeLessThanOrEqual(50 * 1.125)
    expect(metrics.eventToInvalidation.p95).toBeGreaterThanOrEqual(95)
    expect(metrics.eventToInvalidation.p95).toBeLessThanOrEqual(100)
    expect(metrics.eventToRefetch).toEqual({ count: 1, p50: 250, p95: 250, max: 250 })
    expect(metrics).not.toHaveProperty('eventToInvalidationMs')
    expect(metrics).not.toHaveProperty('eventToRefetchMs')
  })

  it('ignores a negative latency', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.latencyRecorded({ metric: 'eventToRefetchMs', ms: -5 }))
    expect(selectors.selectMetrics(root()).eventToRefetch.count).toBe(0)
  })
})

describe('realtime selectors', () => {
  it('memoizes selectMetrics: the same state gives the same object', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.latencyRecorded({ metric: 'eventToInvalidationMs', ms: 10 }))
    const state = root()
    expect(selectors.selectMetrics(state)).toBe(selectors.selectMetrics(state))
  })

  it('keeps the selectMetrics object across actions that touch neither metrics nor channels', () => {
    const { actions, dispatch, selectors, root } = setup()
    const before = selectors.selectMetrics(root())
    dispatch(actions.setVisibility(false))
    expect(selectors.selectMetrics(root())).toBe(before)
  })

  it('gives a new selectMetrics object when the metrics change', () => {
    const { actions, dispatch, selectors, root } = setup()
    const before = selectors.selectMetrics(root())
    dispatch(actions.broadcastSent({ topic: 'a', event: 'PING', status: 'ok', at: T0 }))
    const after = selectors.selectMetrics(root())
    expect(after).not.toBe(before)
    expect(after.messagesSent).toBe(1)
  })

  it('recomputes activeChannels in selectMetrics when a channel changes state', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    const before = selectors.selectMetrics(root())
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 }))
    expect(selectors.selectMetrics(root()).activeChannels).toBe(1)
    expect(before.activeChannels).toBe(0)
  })

  it('throws a message naming the reducerPath when the store has no realtime slice', () => {
    const store = configureStore({ reducer: { other: (state: number = 0) => state } })
    const selectors = createRealtimeSelectors('realtime')
    expect(() => selectors.selectConnectionState(store.getState())).toThrow(/"realtime"/)
    expect(() => selectors.selectMetrics(store.getState())).toThrow(/"realtime"/)
    expect(() => createRealtimeSelectors('myRealtime').selectChannels(store.getState())).toThrow(/"myRealtime"/)
  })

  it('reads the slice at a custom reducerPath', () => {
    const clock = new FakeClock(T0)
    const slice = createRealtimeSlice('live', false, clock)
    const store = configureStore({ reducer: { live: slice.reducer } })
    expect(createRealtimeSelectors('live').selectConnectionState(store.getState())).toBe('disabled')
    expect(slice.actions.enable().type).toBe('live/enable')
  })
})

describe('realtime slice: serializability', () => {
  it('stays JSON-serializable and passes RTK’s serializability check after a busy sequence', async () => {
    const errors = vi.spyOn(console, 'error')
    const warnings = vi.spyOn(console, 'warn')
    const { actions, dispatch, selectors, root, clock } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.subscriberAdded({ topic: 'b', private: true, at: T0 }))
    dispatch(
      actions.subscriptionRequested({ id: 's1', spec: { topic: 'a', broadcast: ['*'], tags: [{ type: 'T', id: 1 }] } }),
    )
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.connectionOpened({ at: T0 + 10 }))
    dispatch(actions.channelJoinStarted({ topic: 'a', attempt: 0, at: T0 + 10 }))
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 + 20 }))
    dispatch(actions.channelErrored({ topic: 'b', error: authError, retryInMs: null, at: T0 + 30 }))
    dispatch(actions.eventsReceived({ events: [broadcast('a', T0 + 40), change('a', T0 + 41)], at: T0 + 56 }))
    dispatch(actions.latencyRecorded({ metric: 'eventToInvalidationMs', ms: 12 }))
    dispatch(actions.latencyRecorded({ metric: 'eventToRefetchMs', ms: 340 }))
    dispatch(actions.broadcastSent({ topic: 'a', event: 'PING', status: 'timed out', at: T0 + 60 }))
    dispatch(actions.malformedMessageSkipped({ topic: 'a', reason: 'bad', at: T0 + 61 }))
    dispatch(actions.reconnectScheduled({ attempt: 0, maxRetries: 3, delayMs: 700, error: networkError, at: T0 + 100 }))
    dispatch(actions.channelClosed({ topic: 'a', at: T0 + 100 }))
    dispatch(actions.connectionOpened({ at: T0 + 800 }))
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 + 900 }))
    dispatch(actions.pollCadenceChanged({ intervalMs: 60_000 }))
    await clock.advance(1_000)
    dispatch(actions.setVisibility(false))
    dispatch(actions.disable())
    dispatch(actions.enable())
    dispatch(actions.recover())
    const state = selectors.selectRealtimeState(root())
    expect(JSON.parse(JSON.stringify(state))).toEqual(state)
    expect(JSON.parse(JSON.stringify(selectors.selectMetrics(root())))).toEqual(selectors.selectMetrics(root()))
    expect(errors).not.toHaveBeenCalled()
    expect(warnings).not.toHaveBeenCalled()
  })
})

describe('realtime slice: gaps and reconnections that are not', () => {
  it('does not count the first successful connection after failed attempts as a reconnection', () => {
    const { actions, dispatch, selectors, root } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.connectionAttemptStarted({ attempt: 0, at: T0 }))
    dispatch(actions.reconnectScheduled({ attempt: 0, maxRetries: 3, delayMs: 500, error: networkError, at: T0 + 10 }))
    dispatch(actions.connectionAttemptStarted({ attempt: 1, at: T0 + 510 }))
    dispatch(actions.connectionOpened({ at: T0 + 600 }))
    expect(selectors.selectMetrics(root())).toMatchObject({ reconnections: 0, averageReconnectMs: null })
  })

  it('measures the gap of a channel recreated while subscribed from the moment its rejoin starts', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.channelJoinStarted({ topic: 'a', attempt: 0, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 + 10 }))
    dispatch(actions.channelJoinStarted({ topic: 'a', attempt: 0, at: T0 + 1_000 }))
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 + 1_250 }))
    expect(channel('a')).toMatchObject({ resumed: false, gapMs: 250 })
  })
})

describe('realtime slice: registry restarts', () => {
  it('keeps the records of topics still wanted on registryReset, so their next join counts as after a gap', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    dispatch(actions.channelJoinStarted({ topic: 'a', attempt: 0, at: T0 }))
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 + 10 }))
    dispatch(actions.registryReset({ topics: ['a'], at: T0 + 100 }))
    expect(channel('a')).toMatchObject({ state: 'closed', subscriberCount: 0 })
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 + 100 }))
    dispatch(actions.channelSubscribed({ topic: 'a', at: T0 + 400 }))
    expect(channel('a')).toMatchObject({ subscriberCount: 1, resumed: false, gapMs: 300 })
  })

  it('ignores malformed entries in eventsReceived instead of throwing', () => {
    const { actions, dispatch, channel } = setup()
    dispatch(actions.subscriberAdded({ topic: 'a', private: false, at: T0 }))
    const events = [null, undefined, 42, { topic: 7 }, broadcast('a', T0 + 5)] as unknown as BroadcastEvent[]
    expect(() => dispatch(actions.eventsReceived({ events, at: T0 + 6 }))).not.toThrow()
    expect(channel('a')?.lastMessageAt).toBe(T0 + 5)
  })
})
