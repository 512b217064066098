import { describe, expect, it } from 'vitest'
import {
  TOKEN_REFRESH_LEAD_MS,
  tokenNeedsRefresh,
  tokenRefreshLeadMs,
  tokenTooOldToJoin,
} from '../../src/policy/tokenRefresh'

const NOW = 1_700_000_000_000

describe('tokenRefreshLeadMs', () => {
  it.each([
    ['an hour-long token', { expiresAt: NOW + 3_600_000, issuedAt: NOW }, 60_000],
    ['a 60 s token (half its lifetime)', { expiresAt: NOW + 60_000, issuedAt: NOW }, 30_000],
    ['a token without iat', { expiresAt: NOW + 60_000, issuedAt: null }, TOKEN_REFRESH_LEAD_MS],
    ['a token without exp', { expiresAt: null, issuedAt: NOW }, TOKEN_REFRESH_LEAD_MS],
    ['a token issued after it expires (garbage claims)', { expiresAt: NOW, issuedAt: NOW + 10 }, TOKEN_REFRESH_LEAD_MS],
  ])('gives %s a lead of its own', (_, times, lead) => {
    expect(tokenRefreshLeadMs(times)).toBe(lead)
  })
})

describe('tokenNeedsRefresh and tokenTooOldToJoin', () => {
  it.each([
    ['expired a minute ago', -60_000, true, true],
    ['expiring in 3 s', 3_000, true, true],
    ['expiring in 30 s', 30_000, true, false],
    ['expiring in 60 s', 60_000, true, false],
    ['expiring in 61 s', 61_000, false, false],
  ])('a token %s: refresh %s, too old to join %s', (_, inMs, refresh, tooOld) => {
    const times = { expiresAt: NOW + inMs, issuedAt: NOW - 3_600_000 }
    expect(tokenNeedsRefresh(times, NOW)).toBe(refresh)
    expect(tokenTooOldToJoin(times, NOW)).toBe(tooOld)
  })

  it.each([
    ['a fresh 4 s token', { expiresAt: NOW + 4_000, issuedAt: NOW }, false],
    ['a 4 s token with 900 ms left', { expiresAt: NOW + 900, issuedAt: NOW - 3_100 }, true],
    ['a 4 s token without iat, 4 s left', { expiresAt: NOW + 4_000, issuedAt: null }, true],
  ])('%s: too old to join %s (the margin is a quarter of a short lifetime)', (_, times, tooOld) => {
    expect(tokenTooOldToJoin(times, NOW)).toBe(tooOld)
  })

  it('never refreshes or refuses a token whose expiry is unknown', () => {
    expect(tokenNeedsRefresh({ expiresAt: null, issuedAt: null }, NOW)).toBe(false)
    expect(tokenTooOldToJoin({ expiresAt: null, issuedAt: null }, NOW)).toBe(false)
  })
})
