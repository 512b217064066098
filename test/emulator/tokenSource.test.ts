import { afterEach, describe, expect, it } from 'vitest'
import { verifyJwt } from '../../src/testing/emulator/jwt'
import { AUTH_OUTAGE_MESSAGE } from '../../src/testing/emulator/tokenSource'
import { FakeClock } from '../support/fakeClock'
import { reached, SECRET, startHarness, subscribe, type Harness } from './emulatorSupport'

const claimsOf = (token: string, clock: FakeClock) => {
  const verified = verifyJwt(token, SECRET, clock.now())
  if (!verified.ok) throw new Error(`token refused: ${verified.reason}`)
  return verified.claims
}

describe('tokenSource and faults.authOutage: the emulator as a third-party auth provider that can be down', () => {
  let h: Harness
  afterEach(async () => {
    await h.stop()
  })

  it('hands out one token until a quarter of its life is left, then signs a new one that lives lifetimeMs', async () => {
    const clock = new FakeClock(1_800_000_000_000)
    h = await startHarness({ clock })
    const source = h.server.tokenSource({ lifetimeMs: 20_000, claims: { sub: 'user-7' } })
    const first = await source()
    expect(claimsOf(first, clock)).toMatchObject({
      role: 'authenticated',
      sub: 'user-7',
      iat: 1_800_000_000,
      exp: 1_800_000_020,
    })
    await clock.advance(15_000)
    expect(await source()).toBe(first)
    await clock.advance(1_000)
    const second = await source()
    expect(second).not.toBe(first)
    expect(claimsOf(second, clock)).toMatchObject({ iat: 1_800_000_016, exp: 1_800_000_036 })
  })

  it('rejects every call while authOutage is in force, and heals by itself after ms', async () => {
    const clock = new FakeClock(1_800_000_000_000)
    h = await startHarness({ clock })
    const source = h.server.tokenSource({ lifetimeMs: 10_000 })
    const before = await source()
    h.server.faults.authOutage({ ms: 20_000 })
    await expect(source()).rejects.toThrow(AUTH_OUTAGE_MESSAGE)
    await clock.advance(19_999)
    await expect(source()).rejects.toThrow(AUTH_OUTAGE_MESSAGE)
    await clock.advance(1)
    const after = await source()
    expect(after).not.toBe(before) // the one from before expired during the outage
    expect(claimsOf(after, clock).exp).toBe(1_800_000_030)
  })

  it('reset() ends an outage at once', async () => {
    h = await startHarness()
    const source = h.server.tokenSource()
    h.server.faults.authOutage({ ms: 60_000 })
    await expect(source()).rejects.toThrow(AUTH_OUTAGE_MESSAGE)
    h.server.faults.reset()
    expect(typeof (await source())).toBe('string')
  })

  it('supabase-js joins with its token, and expireTokens() covers the tokens it handed out', async () => {
    h = await startHarness()
    const source = h.server.tokenSource()
    const client = h.client({ accessToken: source })
    await client.realtime.setAuth()
    const statuses = subscribe(client.channel('room'))
    await reached(statuses)
    h.server.faults.expireTokens()
    await reached(statuses, 'CLOSED')
  })

  it('bad options throw a TypeError naming the argument', async () => {
    h = await startHarness()
    const tokenSource = h.server.tokenSource as (options: unknown) => unknown
    expect(() => tokenSource(null)).toThrow(new TypeError('tokenSource: options must be an object, got null'))
    for (const lifetimeMs of [0, 1_000, 2_500, -5_000, Number.NaN, '60000']) {
      expect(() => tokenSource({ lifetimeMs })).toThrow(
        new TypeError(`tokenSource: lifetimeMs must be whole seconds of at least 2000 ms, got ${String(lifetimeMs)}`),
      )
    }
    expect(() => tokenSource({ claims: 'user' })).toThrow(
      new TypeError('tokenSource: claims must be an object of JWT claims, got user'),
    )
    const authOutage = h.server.faults.authOutage as (options: unknown) => void
    expect(() => authOutage(undefined)).toThrow(
      new TypeError('faults.authOutage: options must be { ms }, got undefined'),
    )
    for (const ms of [undefined, -1, Number.NaN, Number.POSITIVE_INFINITY, '20000']) {
      expect(() => authOutage({ ms })).toThrow(
        new TypeError(`faults.authOutage: ms must be a non-negative finite number of milliseconds, got ${String(ms)}`),
      )
    }
  })
})
