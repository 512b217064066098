import { afterEach, describe, expect, it } from 'vitest'
import { RealtimeError } from '../../src/errors/realtimeError'
import { createHarness, failedByAuth, finishHarness, type Harness, tableSpec } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

const authAndJoins = (log: readonly string[]) => log.filter((entry) => /^(authorize|join:)/.test(entry))

describe('authentication', () => {
  it('retries a refused join once with a refreshed token, then fails until the token changes', async () => {
    harness = createHarness({}, { seed: 6 })
    const { realtime, clock, transport } = harness
    let accept = false
    transport.joinReply = () => (accept ? 'ok' : new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized: invalid token'))
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)

    expect(authAndJoins(transport.log)).toEqual(['authorize', 'join:project:1', 'authorize:refresh', 'join:project:1'])
    const channel = harness.state().channels['project:1']!
    expect(channel.state).toBe('error')
    expect(channel.lastError).toMatchObject({ type: 'AUTHENTICATION_FAILED', retryable: false })
    expect(channel.nextRetryAt).toBeNull()
    // A public channel refused after a refresh: the credentials themselves are refused.
    expect(harness.state().connection).toBe('failed')
    expect(transport.isConnected()).toBe(false)
    expect(transport.channelTopics()).toEqual([])

    const attempts = transport.connectAttempts
    await clock.advance(60_000)
    expect(transport.joins('project:1')).toBe(2)
    expect(transport.connectAttempts).toBe(attempts)
    expect(harness.state().connection).toBe('failed')

    accept = true
    transport.authChange('TOKEN_REFRESHED')
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    expect(transport.joins('project:1')).toBe(3)
    // The channel record says the current state; the refusal stays in the recent errors.
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'subscribed', lastError: null })
    expect(harness.state().recentErrors).toContainEqual(expect.objectContaining({ type: 'AUTHENTICATION_FAILED', topic: 'project:1' }))
    expect(authAndJoins(transport.log).slice(-2)).toEqual(['authorize', 'join:project:1'])
  })

  it('ignores auth events it does not act on while failed', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    transport.joinReply = () => new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized')
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    expect(harness.state().connection).toBe('failed')
    transport.authChange('OTHER')
    await clock.advance(10_000)
    expect(harness.state().connection).toBe('failed')
    expect(transport.joins('project:1')).toBe(2)
  })

  it('does not join a private channel without a session, and joins it once signed in', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    transport.signedIn = false
    realtime.subscribe(tableSpec('private:1', 'generations', { private: true }))
    await clock.advance(100)

    expect(transport.joins('private:1')).toBe(0)
    expect(harness.state().channels['private:1']).toMatchObject({
      state: 'error',
      private: true,
      nextRetryAt: null,
      lastError: { type: 'AUTHENTICATION_FAILED', retryable: false },
    })
    // Only this channel is refused: the connection itself is fine.
    expect(harness.state().connection).toBe('connected')
    await clock.advance(60_000)
    expect(transport.joins('private:1')).toBe(0)

    transport.signedIn = true
    transport.authChange('SIGNED_IN')
    await clock.advance(100)
    expect(transport.joins('private:1')).toBe(1)
    expect(transport.joinedConfigs.at(-1)?.config.private).toBe(true)
    expect(harness.state().channels['private:1']?.state).toBe('subscribed')
    expect(authAndJoins(transport.log).slice(-2)).toEqual(['authorize', 'join:private:1'])
  })

  it('keeps a refused private channel from failing the connection, and recover() retries it', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    transport.signedIn = true
    let accept = false
    transport.joinReply = (topic) => (accept || topic !== 'private:1' ? 'ok' : new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized: RLS'))
    realtime.subscribe(tableSpec('private:1', 'generations', { private: true }))
    realtime.subscribe(tableSpec('project:2'))
    await clock.advance(100)
    expect(harness.state().channels['private:1']).toMatchObject({ state: 'error', lastError: { retryable: false } })
    expect(harness.state().channels['project:2']?.state).toBe('subscribed')
    expect(harness.state().connection).toBe('connected')
    await clock.advance(60_000)
    expect(transport.joins('private:1')).toBe(2)

    accept = true
    store.dispatch(realtime.actions.recover())
    await clock.advance(100)
    expect(transport.joins('private:1')).toBe(3)
    expect(harness.state().channels['private:1']?.state).toBe('subscribed')
  })

  it('lifts a failed connection with recover()', async () => {
    const failed = await failedByAuth()
    harness = failed.harness
    const { realtime, clock, store } = harness
    expect(harness.state().connection).toBe('failed')
    failed.accept()
    store.dispatch(realtime.actions.recover())
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
  })

  it('lifts a failed connection when the token changes while the socket is still closing', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    let accept = false
    transport.joinReply = () => (accept ? 'ok' : new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized'))
    let closed = () => undefined as void
    transport.disconnectGate = new Promise<void>((resolve) => (closed = resolve))
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    expect(harness.state().connection).toBe('failed')
    accept = true
    transport.authChange('TOKEN_REFRESHED')
    await clock.advance(100)
    transport.disconnectGate = null
    closed()
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
  })
})
