import type { TokenTimes } from '../policy/tokenRefresh'

const NONE: TokenTimes = { expiresAt: null, issuedAt: null }

function base64UrlJson(segment: string): unknown {
  const base64 = segment
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(segment.length / 4) * 4, '=')
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))
  return JSON.parse(new TextDecoder().decode(bytes))
}

function secondsToMs(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value * 1000 : null
}

/**
 * Reads `exp` and `iat` of a JWT without verifying it (the server does that), in ms. Anything
 * that is not a readable JWT (an opaque token, a publishable key, garbage) has no known times.
 *
 * @example
 * jwtTimes('eyJ...') // { expiresAt: 1700003600000, issuedAt: 1700000000000 }
 * jwtTimes('sb_publishable_x') // { expiresAt: null, issuedAt: null }
 *
 * @internal
 */
export function jwtTimes(token: unknown): TokenTimes {
  if (typeof token !== 'string') return NONE
  const parts = token.split('.')
  if (parts.length !== 3 || parts[1] === '' || parts[1]!.length > 16_384) return NONE
  try {
    const claims = base64UrlJson(parts[1]!)
    if (typeof claims !== 'object' || claims === null) return NONE
    const { exp, iat } = claims as { exp?: unknown; iat?: unknown }
    return { expiresAt: secondsToMs(exp), issuedAt: secondsToMs(iat) }
  } catch {
    return NONE
  }
}
