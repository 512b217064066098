import type { IncomingMessage } from 'node:http'
import type { JwtClaims } from '../types'
import { AuthError, EMAIL, MIN_PASSWORD, PREFIX, header, readJson, text } from './authHttp'
import type { AuthStore, AuthUser } from './authStore'

/** What the endpoints share: the store, and how a session is issued and a bearer token checked. */
export interface AuthRouteContext {
  store: AuthStore
  /** The session body GoTrue answers with, its access token freshly signed. */
  session(user: AuthUser, sessionId: string, refreshToken: string): Record<string, unknown>
  /** The bearer token's claims, refused as GoTrue refuses it. */
  bearerClaims(req: IncomingMessage): JwtClaims
  /** The bearer's user and session, refused when either is gone. */
  signedInUser(req: IncomingMessage): { user: AuthUser; sessionId: string }
}

/**
 * `POST /signup`: email and password, confirmed at once and signed in.
 * @internal
 */
export async function signUp(ctx: AuthRouteContext, req: IncomingMessage): Promise<[number, unknown]> {
  const { store } = ctx
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
  return [200, ctx.session(user, sessionId, refreshToken)]
}

/**
 * `POST /token`: the `password` and `refresh_token` grants.
 * @internal
 */
export async function tokenGrant(ctx: AuthRouteContext, req: IncomingMessage, url: URL): Promise<[number, unknown]> {
  const { store } = ctx
  const body = await readJson(req)
  const grant = url.searchParams.get('grant_type')
  if (grant === 'password') {
    const user = store.verifyPassword(text(body, 'email'), text(body, 'password'))
    if (!user) throw new AuthError(400, 'invalid_credentials', 'Invalid login credentials')
    const { sessionId, refreshToken } = store.startSession(user.id)
    return [200, ctx.session(user, sessionId, refreshToken)]
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
    return [200, ctx.session(store.user(result.userId)!, result.sessionId, result.next)]
  }
  throw new AuthError(400, 'unsupported_grant_type', 'unsupported_grant_type')
}

/**
 * `POST /logout`: ends sessions by `scope` (global, local, others).
 * @internal
 */
export function logout(ctx: AuthRouteContext, req: IncomingMessage, url: URL): [number, unknown] {
  const scope = url.searchParams.get('scope') ?? 'global'
  if (scope !== 'global' && scope !== 'local' && scope !== 'others')
    throw new AuthError(400, 'validation_failed', `Unsupported logout scope "${scope}"`)
  const claims = ctx.bearerClaims(req)
  if (typeof claims.session_id === 'string') ctx.store.signOut(claims.session_id, scope)
  return [204, undefined]
}

/**
 * Answers one request under `/auth/v1` by its endpoint, after the gateway's API key check.
 * @internal
 */
export async function route(ctx: AuthRouteContext, req: IncomingMessage, url: URL): Promise<[number, unknown]> {
  const path = url.pathname.slice(PREFIX.length).replace(/\/$/, '')
  // The gateway's answer, before Auth sees the request.
  if (!header(req, 'apikey') && !url.searchParams.get('apikey'))
    return [401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' }]
  if (path === '/signup' && req.method === 'POST') return signUp(ctx, req)
  if (path === '/token' && req.method === 'POST') return tokenGrant(ctx, req, url)
  if (path === '/user' && req.method === 'GET') return [200, ctx.signedInUser(req).user]
  if (path === '/logout' && req.method === 'POST') return logout(ctx, req, url)
  throw new AuthError(404, 'not_found', 'Not found')
}
