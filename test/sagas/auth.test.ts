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
  it('retries a refused join once with a refreshed token, then every 30–60 s while failed, and at once when the token changes', async () => {
    harness = createHarness({}, { seed: 6 })
    const { realtime, clock, transport } = harness
    let accept = false
    transport.joinReply = () =>
      accept ? 'ok' : new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized: invalid token')
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)

    expect(authAndJoins(transport.log)).toEqual(['authorize', 'join:project:1', 'authorize:refresh', 'join:project:1'])
    const channel = harness.state().channels['project:1']!
    expect(channel.state).toBe('error')
    expect(channel.lastError).toMatchObject({ type: 'AUTHENTICATION_FAILED', retryable: false })
    // A public channel refused after a refresh: the credentials themselves are refused.
    expect(harness.state().connection).toBe('failed')
    expect(transport.isConnected()).toBe(false)
    expect(transport.channelTopics()).toEqual([])

    // Not terminal: the saga's own schedule says when it tries again, 30–60 s later.
    const [scheduled] = harness.payloadsOf(realtime.events.failedRetryScheduled)
    expect(scheduled!.delayMs).toBeGreaterThanOrEqual(30_000)
    expect(scheduled!.delayMs).toBeLessThanOrEqual(60_000)
    expect(harness.state().nextRetryAt).toBe(scheduled!.at + scheduled!.delayMs)
    const attempts = transport.connectAttempts
    await clock.advance(scheduled!.at + scheduled!.delayMs - 1 - clock.now())
    expect(transport.connectAttempts).toBe(attempts)
    expect(harness.state().connection).toBe('failed')
    await clock.advance(100)
    expect(harness.payloadsOf(realtime.events.failedRetryStarted)).toEqual([
      { reason: 'timer', at: scheduled!.at + scheduled!.delayMs },
    ])
    // Refused again (and again after a refresh): failed once more, with a new retry scheduled.
    expect(transport.connectAttempts).toBe(attempts + 1)
    expect(transport.joins('project:1')).toBe(4)
    expect(harness.state().connection).toBe('failed')
    expect(harness.payloadsOf(realtime.events.failedRetryScheduled)).toHaveLength(2)

    accept = true
    transport.authChange('TOKEN_REFRESHED')
    await clock.advance(100)
    expect(harness.state().connection).toBe('connected')
    expect(transport.joins('project:1')).toBe(5)
    // The channel record says the current state; the refusal stays in the recent errors.
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'subscribed', lastError: null })
    expect(harness.state().recentErrors).toContainEqual(
      expect.objectContaining({ type: 'AUTHENTICATION_FAILED', topic: 'project:1' }),
    )
    expect(authAndJoins(transport.log).slice(-2)).toEqual(['authorize', 'join:project:1'])
  })

  it('comes back on its own when the token source recovers without any auth event (the accessToken option has none)', async () => {
    const failed = await failedByAuth()
    harness = failed.harness
    const { clock } = harness
    failed.accept()
    await clock.advance(60_000)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
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

  it('does not join a private channel without a session, asks again every 30–60 s, and joins once signed in', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    transport.signedIn = false
    realtime.subscribe(tableSpec('private:1', 'generations', { private: true }))
    await clock.advance(100)

    expect(transport.joins('private:1')).toBe(0)
    const [refused] = harness.payloadsOf(realtime.events.channelErrored)
    expect(refused!.retryInMs).toBeGreaterThanOrEqual(30_000)
    expect(refused!.retryInMs).toBeLessThanOrEqual(60_000)
    expect(harness.state().channels['private:1']).toMatchObject({
      state: 'error',
      private: true,
      nextRetryAt: refused!.at + refused!.retryInMs!,
      lastError: { type: 'AUTHENTICATION_FAILED', retryable: false },
    })
    // Only this channel is refused: the connection itself is fine.
    expect(harness.state().connection).toBe('connected')
    const asked = transport.log.filter((entry) => entry === 'authorize').length
    await clock.advance(refused!.at + refused!.retryInMs! - clock.now())
    expect(transport.log.filter((entry) => entry === 'authorize').length).toBe(asked + 1)
    expect(transport.joins('private:1')).toBe(0)

    // A session that appears without an event (clock skew, third-party auth) is found on the next retry.
    transport.signedIn = true
    await clock.advance(60_000)
    expect(transport.joins('private:1')).toBe(1)
    expect(transport.joinedConfigs.at(-1)?.config.private).toBe(true)
    expect(harness.state().channels['private:1']?.state).toBe('subscribed')
    expect(authAndJoins(transport.log).slice(-2)).toEqual(['authorize', 'join:private:1'])
  })

  it('joins a private channel at once when a session event arrives', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('private:1', 'generations', { private: true }))
    await clock.advance(100)
    expect(transport.joins('private:1')).toBe(0)
    transport.signedIn = true
    transport.authChange('SIGNED_IN')
    await clock.advance(100)
    expect(transport.joins('private:1')).toBe(1)
    expect(harness.state().channels['private:1']?.state).toBe('subscribed')
  })

  it('keeps a refused private channel from failing the connection, retries it on the slow cadence, and recover() retries it at once', async () => {
    harness = createHarness()
    const { realtime, clock, transport, store } = harness
    transport.signedIn = true
    let accept = false
    transport.joinReply = (topic) =>
      accept || topic !== 'private:1' ? 'ok' : new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized: RLS')
    realtime.subscribe(tableSpec('private:1', 'generations', { private: true }))
    realtime.subscribe(tableSpec('project:2'))
    await clock.advance(100)
    expect(harness.state().channels['private:1']).toMatchObject({ state: 'error', lastError: { retryable: false } })
    expect(harness.state().channels['private:1']?.nextRetryAt).not.toBeNull()
    expect(harness.state().channels['project:2']?.state).toBe('subscribed')
    expect(harness.state().connection).toBe('connected')
    expect(transport.joins('private:1')).toBe(2)
    await clock.advance(60_000)
    // Asked again (and refused again, once more after a refresh) without anyone asking it to.
    expect(transport.joins('private:1')).toBe(4)
    expect(harness.state().connection).toBe('connected')

    accept = true
    store.dispatch(realtime.actions.recover())
    await clock.advance(100)
    expect(transport.joins('private:1')).toBe(5)
    expect(harness.state().channels['private:1']?.state).toBe('subscribed')
  })

  it.each([
    [
      'throws',
      (h: Harness) => (h.transport.authorizeError = new Error('auth server down')),
      /the access token source failed/,
    ],
    ['hangs', (h: Harness) => (h.transport.authorizeReply = 'hang'), /did not answer within 10000 ms/],
    ['answers with garbage', (h: Harness) => (h.transport.authorizeReply = 'garbage'), /without an auth snapshot/],
  ])(
    'gives a token source that %s a bounded wait, a logged and counted error and a backoff, and joins once it recovers',
    async (_, breakIt, message) => {
      harness = createHarness()
      const { realtime, clock, transport } = harness
      breakIt(harness)
      realtime.subscribe(tableSpec('project:1'))
      await clock.advance(30_000)
      expect(transport.joins('project:1')).toBe(0)
      const failures = harness.state().metrics.tokenSourceFailures
      expect(failures).toBeGreaterThanOrEqual(2)
      expect(harness.state().channels['project:1']).toMatchObject({
        state: 'error',
        lastError: { type: 'SUBSCRIPTION_FAILED', message: expect.stringMatching(message) },
      })
      expect(harness.state().channels['project:1']?.nextRetryAt).not.toBeNull()
      expect(harness.logs.filter((log) => /could not get an access token/.test(log.line))).toHaveLength(1)

      transport.authorizeError = null
      transport.authorizeReply = 'ok'
      await clock.advance(60_000)
      expect(harness.state().channels['project:1']?.state).toBe('subscribed')
    },
  )

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
