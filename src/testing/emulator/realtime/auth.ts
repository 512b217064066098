import type { Clock } from '../../../env/clock'
import { signJwt, verifyJwt } from '../jwt'
import type { JwtClaims } from '../types'

/** A token the server accepts, or the texts the real server uses to refuse it. */
export type TokenCheck =
  | { ok: true; claims: JwtClaims }
  | {
      ok: false
      /** The join reply reason (`InvalidJWTToken: Token has expired 3 seconds ago`). */
      joinReason: string
      /** The `system` message text when a joined channel's token stops being valid. */
      shutdownMessage: string
    }

/** Verifies tokens as Supabase Realtime does and remembers them for `faults.expireTokens()`. */
export interface TokenAuthority {
  check(token: string): TokenCheck
  /** Milliseconds until `claims.exp` (0 when already past; Infinity without `exp`). */
  expiresInMs(claims: JwtClaims): number
  /** Records a token the emulator signed, so that `expireAll` covers it before it is ever used. */
  issued(token: string): void
  /** Treats every token issued or seen so far as expired, project API keys excepted. */
  expireAll(): void
  /** Whether `expireAll` covered this token. */
  isExpired(token: string): boolean
  clearExpired(): void
}

/** The secret tokens are checked against, the clock for `exp`, and the project keys. */
export interface TokenAuthorityOptions {
  secret: string
  clock: Clock
  /** Project keys (anon, service role): never expired by `expireAll`. */
  apiKeys?: readonly string[]
}

const MAX_REMEMBERED = 10_000

const refuse = (joinReason: string, shutdownMessage: string): TokenCheck => ({ ok: false, joinReason, shutdownMessage })
const expired = (seconds: number): TokenCheck => {
  const text = `Token has expired ${Math.max(0, seconds)} seconds ago`
  return refuse(`InvalidJWTToken: ${text}`, text)
}

/**
 * The token checks of Supabase Realtime's channel join and `access_token` refresh, with their
 * reason texts: HS256 signature, `role` and `exp` required, `exp` in the future.
 */
export function createTokenAuthority({ secret, clock, apiKeys = [] }: TokenAuthorityOptions): TokenAuthority {
  const keys = new Set(apiKeys)
  const known = new Set<string>()
  const expiredTokens = new Set<string>()
  const remember = (token: string): void => {
    if (known.size >= MAX_REMEMBERED) known.clear()
    known.add(token)
  }
  const nowSeconds = (): number => Math.floor(clock.now() / 1000)

  return {
    check(token) {
      remember(token)
      const result = verifyJwt(token, secret, clock.now())
      if (!result.ok) {
        switch (result.reason) {
          case 'expired': {
            const exp = Number(
              (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as JwtClaims).exp,
            )
            return expired(nowSeconds() - exp)
          }
          case 'bad_signature':
            return refuse('JwtSignatureError: Failed to validate JWT signature', ':signature_error')
          case 'unsupported_alg':
            return refuse(
              'JwtSignerError: Failed to generate JWT signer, check your JWT secret or JWKS configuration',
              'Failed to generate JWT signer, check your JWT secret or JWKS configuration',
            )
          default:
            return refuse(
              'MalformedJWT: The token provided is not a valid JWT',
              'The token provided is not a valid JWT',
            )
        }
      }
      const { claims } = result
      if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
        const text = 'Fields `role` and `exp` are required in JWT'
        return refuse(`InvalidJWTToken: ${text}`, text)
      }
      if (expiredTokens.has(token)) return expired(0)
      return { ok: true, claims }
    },
    expiresInMs(claims) {
      return typeof claims.exp === 'number' ? Math.max(0, claims.exp * 1000 - clock.now()) : Infinity
    },
    issued: remember,
    expireAll() {
      for (const token of known) if (!keys.has(token)) expiredTokens.add(token)
    },
    isExpired: (token) => expiredTokens.has(token),
    clearExpired: () => expiredTokens.clear(),
  }
}

/** @internal Signs user tokens with the server's secret and records each, so `faults.expireTokens()` covers them. */
export function signerFor(jwtSecret: string, auth: TokenAuthority): (claims: JwtClaims) => string {
  return (claims) => {
    const token = signJwt(claims, jwtSecret)
    auth.issued(token)
    return token
  }
}
