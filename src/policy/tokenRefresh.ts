/**
 * How long before its expiry an access token is replaced: 60 s, which covers the hidden-tab
 * probe cadence (20 s) plus a margin for timers a throttled browser fires late; never more than
 * half the token's lifetime, so short-lived third-party tokens are not refreshed back to back.
 */
export const TOKEN_REFRESH_LEAD_MS = 60_000

/** A token this close to expiry is not sent with a join at all: it would expire in flight. */
export const TOKEN_JOIN_MARGIN_MS = 5_000

/** What is known of a token's lifetime (ms since the epoch; null when the token says nothing). */
export interface TokenTimes {
  expiresAt: number | null
  issuedAt: number | null
}

/**
 * The lead (ms before `expiresAt`) at which a token is refreshed ahead of its expiry.
 *
 * @example
 * tokenRefreshLeadMs({ expiresAt: 3_600_000, issuedAt: 0 }) // 60000
 * tokenRefreshLeadMs({ expiresAt: 60_000, issuedAt: 0 })    // 30000: half of a 60 s token
 *
 * @internal
 */
export function tokenRefreshLeadMs(times: TokenTimes): number {
  if (times.expiresAt === null || times.issuedAt === null) return TOKEN_REFRESH_LEAD_MS
  const lifetime = times.expiresAt - times.issuedAt
  if (!(lifetime > 0)) return TOKEN_REFRESH_LEAD_MS
  return Math.min(TOKEN_REFRESH_LEAD_MS, Math.floor(lifetime / 2))
}

/**
 * True when a token should be replaced before it is used or kept: it expires within its
 * refresh lead. A token without a known expiry (not a JWT, the publishable key) never does.
 *
 * @internal
 */
export function tokenNeedsRefresh(times: TokenTimes, now: number): boolean {
  return times.expiresAt !== null && times.expiresAt - now <= tokenRefreshLeadMs(times)
}

/**
 * The margin before expiry inside which a token is not sent with a join: {@link TOKEN_JOIN_MARGIN_MS},
 * or a quarter of the token's lifetime when that is shorter, so that a short-lived token (a
 * third-party provider's 4 s token) can be used at all.
 *
 * @internal
 */
export function tokenJoinMarginMs(times: TokenTimes): number {
  if (times.expiresAt === null || times.issuedAt === null) return TOKEN_JOIN_MARGIN_MS
  const lifetime = times.expiresAt - times.issuedAt
  if (!(lifetime > 0)) return TOKEN_JOIN_MARGIN_MS
  return Math.min(TOKEN_JOIN_MARGIN_MS, Math.floor(lifetime / 4))
}

/** True when a token must not go out with a join: expired, or expiring within {@link tokenJoinMarginMs}. @internal */
export function tokenTooOldToJoin(times: TokenTimes, now: number): boolean {
  return times.expiresAt !== null && times.expiresAt - now <= tokenJoinMarginMs(times)
}
