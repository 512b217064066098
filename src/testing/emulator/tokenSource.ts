import type { Clock } from '../../env/clock'
import type { JwtClaims } from './types'

/** Options of `emulator.tokenSource()`; all optional. */
export interface TokenSourceOptions {
  /** Extra claims of every token (role `authenticated` and `sub: 'user'` unless given). */
  claims?: JwtClaims
  /** How long each token is valid, in ms of the emulator's clock (whole seconds, at least 2 s). Default one hour. */
  lifetimeMs?: number
}

/** What a token source needs from the emulator. */
export interface TokenSourceDeps {
  clock: Clock
  /** Signs claims with the emulator's secret and records the token for `faults.expireTokens()`. */
  sign(claims: JwtClaims): string
  /** Whether `faults.authOutage` is in force. */
  unavailable(): boolean
}

const DEFAULT_LIFETIME_MS = 3_600_000
const MIN_LIFETIME_MS = 2_000

/** The error a token source rejects with during `faults.authOutage`. */
export const AUTH_OUTAGE_MESSAGE = 'auth provider unavailable (emulator fault: authOutage)'

function checkOptions(options: unknown): { claims: JwtClaims; lifetimeMs: number } {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`tokenSource: options must be an object, got ${String(options)}`)
  const { claims = {}, lifetimeMs = DEFAULT_LIFETIME_MS } = options as { claims?: unknown; lifetimeMs?: unknown }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims))
    throw new TypeError(`tokenSource: claims must be an object of JWT claims, got ${String(claims)}`)
  if (typeof lifetimeMs !== 'number' || !Number.isInteger(lifetimeMs / 1000) || lifetimeMs < MIN_LIFETIME_MS) {
    throw new TypeError(
      `tokenSource: lifetimeMs must be whole seconds of at least ${MIN_LIFETIME_MS} ms, got ${String(lifetimeMs)}`,
    )
  }
  return { claims: claims as JwtClaims, lifetimeMs }
}

/**
 * A third-party auth provider in miniature, for supabase-js's `accessToken` client option: it
 * hands out the current user token and signs a new one (`exp` = now + `lifetimeMs`) once less
 * than a quarter of the current one's life is left. While `faults.authOutage` is in force every
 * call rejects, as a provider that cannot be reached does.
 */
export function createTokenSource(deps: TokenSourceDeps, options: TokenSourceOptions = {}): () => Promise<string> {
  const { claims, lifetimeMs } = checkOptions(options)
  let current: { token: string; expiresAt: number } | null = null
  return () => {
    if (deps.unavailable()) return Promise.reject(new Error(AUTH_OUTAGE_MESSAGE))
    const now = deps.clock.now()
    if (current === null || current.expiresAt - now < lifetimeMs / 4) {
      const iat = Math.floor(now / 1000)
      const exp = iat + lifetimeMs / 1000
      current = { token: deps.sign({ role: 'authenticated', sub: 'user', ...claims, iat, exp }), expiresAt: exp * 1000 }
    }
    return Promise.resolve(current.token)
  }
}
