import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../../../env/clock'
import { signJwt, verifyJwt } from '../jwt'
import type { JwtClaims } from '../types'
import { AuthError, PREFIX, header, reply } from './authHttp'
import { route, type AuthRouteContext } from './authRoutes'
import { createAuthStore, type AuthStore, type AuthUser } from './authStore'

/** Options of {@link createAuthHandler}. */
export interface AuthHandlerOptions {
  url: () => string
  jwtSecret: string
  clock: Clock
  /** Lifetime of an access token in seconds (GoTrue's JWT_EXP); default 3600. */
  accessTokenLifetimeSeconds?: number
  /** Sees every access token issued (the realtime server remembers them for `faults.expireTokens()`). */
  onIssued?: (token: string) => void
}

/**
 * GoTrue's claims of an access token for `user` in `sessionId`, issued at `now` (seconds).
 * @internal
 */
function accessTokenClaims(
  user: AuthUser,
  sessionId: string,
  issuer: string,
  now: number,
  lifetime: number,
): JwtClaims {
  return {
    aud: 'authenticated',
    exp: now + lifetime,
    iat: now,
    iss: issuer,
    sub: user.id,
    email: user.email,
    phone: '',
    app_metadata: user.app_metadata,
    user_metadata: user.user_metadata,
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: now }],
    session_id: sessionId,
    is_anonymous: false,
    jti: randomUUID(),
  }
}

/**
 * A minimal Supabase Auth (GoTrue) at `/auth/v1`, enough for supabase-js's own auth: `signup`
 * (email and password, confirmed at once), `token?grant_type=password`, `token?grant_type=
 * refresh_token` (rotation, 10 s reuse interval), `user` and `logout` (`scope` global, local,
 * others). Access tokens are HS256 JWTs with GoTrue's claims (`sub`, `role`, `session_id`,
 * `aal`, `amr`, a `jti`) valid for `accessTokenLifetimeSeconds`. Errors have GoTrue's status,
 * `code` and `message`. Users live in memory. Resolves false for paths outside `/auth/v1`.
 *
 * @example
 * const auth = createAuthHandler({ url: () => server.url, jwtSecret, clock, accessTokenLifetimeSeconds: 60 })
 * if (await auth.handle(req, res)) return
 */
export function createAuthHandler(options: AuthHandlerOptions): {
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>
  store: AuthStore
} {
  const { jwtSecret, clock } = options
  const lifetime = options.accessTokenLifetimeSeconds ?? 3_600
  if (!Number.isInteger(lifetime) || lifetime <= 0) {
    throw new TypeError(
      `startRealtimeEmulator: accessTokenLifetimeSeconds must be a positive integer (seconds), got ${String(lifetime)}`,
    )
  }
  const store = createAuthStore(clock)

  const session = (user: AuthUser, sessionId: string, refreshToken: string): Record<string, unknown> => {
    const now = Math.floor(clock.now() / 1000)
    const claims = accessTokenClaims(user, sessionId, `${options.url()}${PREFIX}`, now, lifetime)
    const accessToken = signJwt(claims, jwtSecret)
    options.onIssued?.(accessToken)
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: lifetime,
      expires_at: now + lifetime,
      refresh_token: refreshToken,
      user,
    }
  }

  /** The bearer token's claims, refused as GoTrue refuses it. */
  const bearerClaims = (req: IncomingMessage): JwtClaims => {
    const token = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '')?.[1]
    if (!token) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token')
    const result = verifyJwt(token, jwtSecret, clock.now())
    if (!result.ok) {
      const why =
        result.reason === 'expired'
          ? 'token has invalid claims: token is expired'
          : result.reason === 'bad_signature'
            ? 'signature is invalid'
            : 'token is malformed'
      throw new AuthError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${why}`)
    }
    return result.claims
  }

  const signedInUser = (req: IncomingMessage): { user: AuthUser; sessionId: string } => {
    const claims = bearerClaims(req)
    const user = typeof claims.sub === 'string' ? store.user(claims.sub) : undefined
    if (!user) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist')
    const sessionId = typeof claims.session_id === 'string' ? claims.session_id : ''
    if (!store.hasSession(sessionId))
      throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist')
    return { user, sessionId }
  }

  const ctx: AuthRouteContext = { store, session, bearerClaims, signedInUser }

  return {
    store,
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) return false
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
          'Access-Control-Allow-Headers': header(req, 'access-control-request-headers') ?? '*',
        })
        res.end()
        return true
      }
      try {
        const [status, body] = await route(ctx, req, url)
        reply(res, status, body)
      } catch (error) {
        if (!(error instanceof AuthError)) throw error
        reply(res, error.status, { code: error.code, message: error.message, ...error.extra })
      }
      return true
    },
  }
}
