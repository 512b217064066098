import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../../../env/clock'
import { signJwt, verifyJwt } from '../jwt'
import type { JwtClaims } from '../types'
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

const PREFIX = '/auth/v1'
const MAX_BODY_BYTES = 1024 * 1024
const API_VERSION = '2024-01-01'
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const MIN_PASSWORD = 6

/** A GoTrue error: status, `code` and `message` (API version 2024-01-01). */
class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? undefined : JSON.stringify(body)
  res.writeHead(status, {
    'Access-Control-Allow-Origin': '*',
    'X-Supabase-Api-Version': API_VERSION,
    ...(text === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }),
  })
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= MAX_BODY_BYTES) chunks.push(chunk)
  }
  if (size > MAX_BODY_BYTES) throw new AuthError(413, 'request_too_large', 'Request body too large')
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${(error as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new AuthError(400, 'bad_json', 'Could not parse request body as JSON: expected an object')
  return parsed as Record<string, unknown>
}

/** A body field that must be a string when present (Go's JSON decoding refuses other types). */
function text(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string')
    throw new AuthError(
      400,
      'bad_json',
      `Could not parse request body as JSON: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go struct field .${field} of type string`,
    )
  return value
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
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
    const claims: JwtClaims = {
      aud: 'authenticated',
      exp: now + lifetime,
      iat: now,
      iss: `${options.url()}${PREFIX}`,
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

  const routes = async (req: IncomingMessage, url: URL): Promise<[number, unknown]> => {
    const path = url.pathname.slice(PREFIX.length).replace(/\/$/, '')
    // The gateway's answer, before Auth sees the request.
    if (!header(req, 'apikey') && !url.searchParams.get('apikey'))
      return [
        401,
        { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' },
      ]
    if (path === '/signup' && req.method === 'POST') {
      const body = await readJson(req)
      const [email, password] = [text(body, 'email'), text(body, 'password')]
      if (email === '') throw new AuthError(400, 'validation_failed', 'To signup, please provide your email')
      if (!EMAIL.test(email))
        throw new AuthError(400, 'validation_failed', 'Unable to validate email address: invalid format')
      if (password.length < MIN_PASSWORD) {
        throw new AuthError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD} characters.`, {
          weak_password: { reasons: ['length'] },
        })
      }
      const metadata =
        body.data !== null && typeof body.data === 'object' && !Array.isArray(body.data)
          ? (body.data as Record<string, unknown>)
          : {}
      const user = store.signUp(email, password, metadata)
      if (!user) throw new AuthError(422, 'user_already_exists', 'User already registered')
      store.verifyPassword(email, password)
      const { sessionId, refreshToken } = store.startSession(user.id)
      return [200, session(user, sessionId, refreshToken)]
    }
    if (path === '/token' && req.method === 'POST') {
      const body = await readJson(req)
      const grant = url.searchParams.get('grant_type')
      if (grant === 'password') {
        const user = store.verifyPassword(text(body, 'email'), text(body, 'password'))
        if (!user) throw new AuthError(400, 'invalid_credentials', 'Invalid login credentials')
        const { sessionId, refreshToken } = store.startSession(user.id)
        return [200, session(user, sessionId, refreshToken)]
      }
      if (grant === 'refresh_token') {
        const token = text(body, 'refresh_token')
        const result = store.refresh(token)
        if (!result.ok) {
          throw new AuthError(
            400,
            result.code,
            result.code === 'refresh_token_not_found'
              ? 'Invalid Refresh Token: Refresh Token Not Found'
              : 'Invalid Refresh Token: Already Used',
          )
        }
        return [200, session(store.user(result.userId)!, result.sessionId, result.next)]
      }
      throw new AuthError(400, 'unsupported_grant_type', 'unsupported_grant_type')
    }
    if (path === '/user' && req.method === 'GET') return [200, signedInUser(req).user]
    if (path === '/logout' && req.method === 'POST') {
      const scope = url.searchParams.get('scope') ?? 'global'
      if (scope !== 'global' && scope !== 'local' && scope !== 'others')
        throw new AuthError(400, 'validation_failed', `Unsupported logout scope "${scope}"`)
      const claims = bearerClaims(req)
      if (typeof claims.session_id === 'string') store.signOut(claims.session_id, scope)
      return [204, undefined]
    }
    throw new AuthError(404, 'not_found', 'Not found')
  }

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
        const [status, body] = await routes(req, url)
        reply(res, status, body)
      } catch (error) {
        if (!(error instanceof AuthError)) throw error
        reply(res, error.status, { code: error.code, message: error.message, ...error.extra })
      }
      return true
    },
  }
}
