import { afterEach, describe, expect, it } from 'vitest'
import { RealtimeError } from '../../src/errors/realtimeError'
import { createHarness, finishHarness, type Harness, tableSpec } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

/** What the adapter reports after the server's "Token has expired" system message and phx_close. */
const tokenExpired = (topic: string) =>
  new RealtimeError(
    'AUTHENTICATION_FAILED',
    `${topic}: the access token expired and the server closed the channel (Token has expired 0 seconds ago)`,
    {
      retryable: true,
      context: { topic, status: 'CLOSED', tokenExpired: true },
    },
  )

/**
 * A token source as the real adapter behaves: a forced refresh, or a token inside its 60 s
 * refresh lead, gives a new token of `lifetime`; otherwise the current one.
 */
function refreshingWithin(
  clock: { now(): number },
  lifetime: number,
  current: () => number,
  set: (next: number) => void,
) {
  return (forceRefresh: boolean): number => {
    if (forceRefresh || current() - clock.now() <= 60_000) set(clock.now() + lifetime)
    return current()
  }
}

const closeForExpiry = (h: Harness, topic: string) =>
  h.transport.emit(topic, { type: 'status', status: 'CLOSED', error: tokenExpired(topic) })

describe('a token expiry on a joined channel', () => {
  it('rejoins at once with a freshly forced token, without backoff, and counts it apart', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    const before = transport.log.length
    const expiredAt = clock.now()
    closeForExpiry(harness, 'project:1')
    await clock.advance(0)

    expect(transport.log.slice(before)).toEqual(['remove:project:1', 'authorize:refresh', 'join:project:1'])
    const [errored] = harness.payloadsOf(realtime.events.channelErrored)
    expect(errored).toMatchObject({
      retryInMs: 0,
      tokenExpired: true,
      at: expiredAt,
      error: { type: 'AUTHENTICATION_FAILED', retryable: true },
    })
    // Rejoined in the same instant: the saga's own time stamps.
    expect(harness.payloadsOf(realtime.events.channelSubscribed).at(-1)!.at).toBe(expiredAt)
    expect(harness.state().metrics).toMatchObject({
      tokenExpiries: 1,
      errorsByType: expect.objectContaining({ AUTHENTICATION_FAILED: 1 }),
    })
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']).toMatchObject({
      state: 'subscribed',
      lastError: null,
      resumed: false,
    })
  })

  it('backs off instead when the token expires again within 30 s (a source that keeps giving stale tokens)', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    closeForExpiry(harness, 'project:1')
    await clock.advance(0)
    expect(transport.joins('project:1')).toBe(2)
    await clock.advance(5_000)
    closeForExpiry(harness, 'project:1')
    await clock.advance(0)
    const second = harness.payloadsOf(realtime.events.channelErrored)[1]!
    expect(second.tokenExpired).toBe(true)
    expect(second.retryInMs).not.toBeNull()
    expect(harness.state().metrics.tokenExpiries).toBe(2)
    await clock.advance(second.retryInMs! + 100)
    expect(transport.joins('project:1')).toBe(3)
    expect(transport.log.filter((entry) => entry === 'authorize:refresh')).toHaveLength(2)
  })
})

describe('refreshing the token ahead of its expiry', () => {
  it('gets a fresh token 60 s before exp and hands it over while joined, so the server never closes the channel', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const lifetime = 10 * 60_000
    let expiresAt = clock.now() + lifetime
    transport.tokenExpiresAt = refreshingWithin(
      clock,
      lifetime,
      () => expiresAt,
      (next) => (expiresAt = next),
    )
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    const firstExpiry = harness.state().accessToken.expiresAt!
    expect(firstExpiry).toBe(expiresAt)

    await clock.advance(firstExpiry - 60_000 - 1 - clock.now())
    const asked = transport.log.filter((entry) => entry.startsWith('authorize')).length
    await clock.advance(1)
    expect(transport.log.filter((entry) => entry.startsWith('authorize')).length).toBe(asked + 1)
    const [ahead] = harness.payloadsOf(realtime.events.tokenRefreshedAhead)
    expect(ahead).toEqual({
      expiresAt: firstExpiry - 60_000 + lifetime,
      previousExpiresAt: firstExpiry,
      at: firstExpiry - 60_000,
    })
    expect(harness.state().metrics.tokenRefreshesAhead).toBe(1)
    expect(harness.state().accessToken.expiresAt).toBe(ahead!.expiresAt)
    // The joined channel keeps its join: the token was pushed to it, no rejoin needed.
    expect(transport.joins('project:1')).toBe(1)

    // And again before the next expiry, for as long as the topic lives.
    await clock.advance(lifetime)
    expect(harness.state().metrics.tokenRefreshesAhead).toBe(2)
    expect(transport.joins('project:1')).toBe(1)
  })

  it('refreshes a short-lived token at half its lifetime, not back to back', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    transport.tokenExpiresAt = () => clock.now() + 60_000
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    const handedOverAt = harness.state().accessToken.authorizedAt!
    await clock.advance(handedOverAt + 30_000 - clock.now())
    // Without `iat`, the time it was handed over bounds its lifetime: refreshed 30 s after, then every 30 s.
    const [first] = harness.payloadsOf(realtime.events.tokenRefreshedAhead)
    expect(first!.at).toBe(handedOverAt + 30_000)
    await clock.advance(5 * 60_000)
    expect(harness.state().metrics.tokenRefreshesAhead).toBe(11)
  })

  it('retries a refresh that fails with backoff, counting each failure, and succeeds once the source is back', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    let expiresAt = clock.now() + 5 * 60_000
    transport.tokenExpiresAt = refreshingWithin(
      clock,
      5 * 60_000,
      () => expiresAt,
      (next) => (expiresAt = next),
    )
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    transport.authorizeError = new Error('auth server down')
    await clock.advance(4 * 60_000 + 10_000)
    const failures = harness.state().metrics.tokenSourceFailures
    expect(failures).toBeGreaterThanOrEqual(2)
    expect(harness.state().metrics.tokenRefreshesAhead).toBe(0)
    transport.authorizeError = null
    await clock.advance(35_000)
    expect(harness.state().metrics.tokenRefreshesAhead).toBe(1)
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
  })
})

describe('a host that sleeps past the token expiry', () => {
  it('asks for a fresh token before anything joins again on wake', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    let expiresAt = clock.now() + 10 * 60_000
    transport.tokenExpiresAt = refreshingWithin(
      clock,
      10 * 60_000,
      () => expiresAt,
      (next) => (expiresAt = next),
    )
    realtime.subscribe(tableSpec('project:1'))
    realtime.subscribe(tableSpec('project:2'))
    await clock.advance(100)
    const asleepFrom = transport.log.length
    await clock.jump(30 * 60_000)
    // The server closed the channels while the host slept; the wake-up sees it now.
    closeForExpiry(harness, 'project:1')
    transport.dropSocket()
    await clock.advance(5_000)
    const afterWake = transport.log.slice(asleepFrom)
    expect(afterWake[0]).toMatch(/^authorize/)
    // Every join after the wake follows a token asked for after it, never the stale one.
    for (const [index, entry] of afterWake.entries()) {
      if (entry.startsWith('join:')) expect(afterWake.slice(0, index).some((e) => e.startsWith('authorize'))).toBe(true)
    }
    expect(harness.state().channels['project:1']?.state).toBe('subscribed')
    expect(harness.state().channels['project:2']?.state).toBe('subscribed')
    expect(harness.state().accessToken.expiresAt).toBeGreaterThan(clock.now())
  })
})
