import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../../env/clock'

/** A user as Supabase Auth returns it (`GET /auth/v1/user`, `session.user`). */
export interface AuthUser {
  id: string
  aud: 'authenticated'
  role: 'authenticated'
  email: string
  email_confirmed_at: string
  phone: ''
  confirmed_at: string
  last_sign_in_at: string | null
  app_metadata: { provider: 'email'; providers: ['email'] }
  user_metadata: Record<string, unknown>
  identities: []
  created_at: string
  updated_at: string
  is_anonymous: false
}

interface StoredUser {
  user: AuthUser
  salt: Buffer
  hash: Buffer
}

interface RefreshToken {
  token: string
  sessionId: string
  userId: string
  /** When it was used (rotated); null while it is the session's current token. */
  revokedAt: number | null
}

/** GoTrue's REFRESH_TOKEN_REUSE_INTERVAL default: a rotated token still works this long. */
export const REFRESH_REUSE_INTERVAL_MS = 10_000

/** What a refresh-token grant finds. */
export type RefreshResult =
  | { ok: true; userId: string; sessionId: string; next: string }
  | { ok: false; code: 'refresh_token_not_found' | 'refresh_token_already_used' }

/** Users, sessions and refresh tokens of the emulator's Auth, in memory (they go with the emulator). */
export interface AuthStore {
  signUp(email: string, password: string, metadata: Record<string, unknown>): AuthUser | null
  /** The user when the password is theirs. */
  verifyPassword(email: string, password: string): AuthUser | null
  user(id: string): AuthUser | undefined
  /** Starts a session; returns its id and first refresh token. */
  startSession(userId: string): { sessionId: string; refreshToken: string }
  hasSession(sessionId: string): boolean
  /** Rotates a refresh token as GoTrue does (a rotated one is accepted again within the reuse interval). */
  refresh(token: string): RefreshResult
  /** Ends one session (`local`), every session of its user (`global`), or the user's other sessions (`others`). */
  signOut(sessionId: string, scope: 'global' | 'local' | 'others'): void
}

const hashPassword = (password: string, salt: Buffer): Buffer => scryptSync(password, salt, 32)
const newRefreshToken = (): string => randomBytes(9).toString('base64url')

/**
 * A confirmed email user created at `now` (an ISO timestamp), as GoTrue returns a new one.
 * @internal
 */
function newAuthUser(email: string, metadata: Record<string, unknown>, now: string): AuthUser {
  return {
    id: randomUUID(),
    aud: 'authenticated',
    role: 'authenticated',
    email,
    email_confirmed_at: now,
    phone: '',
    confirmed_at: now,
    last_sign_in_at: null,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: metadata,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  }
}

/** Creates an empty store on `clock`. */
export function createAuthStore(clock: Clock): AuthStore {
  const byEmail = new Map<string, StoredUser>()
  const byId = new Map<string, StoredUser>()
  const sessions = new Map<string, { userId: string; current: string }>()
  const refreshTokens = new Map<string, RefreshToken>()
  const iso = (): string => new Date(clock.now()).toISOString()

  const issue = (sessionId: string, userId: string): string => {
    const token = newRefreshToken()
    refreshTokens.set(token, { token, sessionId, userId, revokedAt: null })
    const session = sessions.get(sessionId)
    if (session) session.current = token
    return token
  }

  return {
    signUp(email, password, metadata) {
      const key = email.toLowerCase()
      if (byEmail.has(key)) return null
      const salt = randomBytes(16)
      const user = newAuthUser(key, metadata, iso())
      const stored = { user, salt, hash: hashPassword(password, salt) }
      byEmail.set(key, stored)
      byId.set(user.id, stored)
      return user
    },
    verifyPassword(email, password) {
      const stored = byEmail.get(email.toLowerCase())
      if (!stored || !timingSafeEqual(stored.hash, hashPassword(password, stored.salt))) return null
      stored.user.last_sign_in_at = iso()
      return stored.user
    },
    user: (id) => byId.get(id)?.user,
    startSession(userId) {
      const sessionId = randomUUID()
      sessions.set(sessionId, { userId, current: '' })
      return { sessionId, refreshToken: issue(sessionId, userId) }
    },
    hasSession: (sessionId) => sessions.has(sessionId),
    refresh(token) {
      const found = refreshTokens.get(token)
      if (!found || !sessions.has(found.sessionId)) return { ok: false, code: 'refresh_token_not_found' }
      const session = sessions.get(found.sessionId)!
      if (found.revokedAt !== null) {
        if (clock.now() - found.revokedAt > REFRESH_REUSE_INTERVAL_MS)
          return { ok: false, code: 'refresh_token_already_used' }
        return { ok: true, userId: found.userId, sessionId: found.sessionId, next: session.current }
      }
      found.revokedAt = clock.now()
      return { ok: true, userId: found.userId, sessionId: found.sessionId, next: issue(found.sessionId, found.userId) }
    },
    signOut(sessionId, scope) {
      const userId = sessions.get(sessionId)?.userId
      if (userId === undefined) return
      for (const [id, session] of [...sessions]) {
        const mine = session.userId === userId
        if (
          (scope === 'local' && id === sessionId) ||
          (scope === 'global' && mine) ||
          (scope === 'others' && mine && id !== sessionId)
        )
          sessions.delete(id)
      }
      for (const [token, entry] of [...refreshTokens]) if (!sessions.has(entry.sessionId)) refreshTokens.delete(token)
    },
  }
}
