import { createHmac, timingSafeEqual } from 'node:crypto'
import type { JwtClaims } from './types'

/** The well-known secret of local Supabase development stacks (never use it in production). */
export const DEFAULT_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long'

/** Why a token was refused. */
export type JwtFailure = 'malformed' | 'bad_signature' | 'expired' | 'unsupported_alg'

export type JwtVerification = { ok: true; claims: JwtClaims } | { ok: false; reason: JwtFailure }

/** Expiry of the local development keys (2032-11-12), in seconds since the epoch. */
const DEFAULT_KEYS_EXP = 1_983_812_996

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url')
}

function sign(data: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(data).digest()
}

function decodeJson(part: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Signs `claims` as a compact HS256 JWT (`header.payload.signature`, base64url).
 *
 * @example
 * signJwt({ role: 'authenticated', sub: 'user-1', exp: 2_000_000_000 }, DEFAULT_JWT_SECRET)
 */
export function signJwt(claims: JwtClaims, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = base64url(JSON.stringify(claims))
  const signature = base64url(sign(`${header}.${payload}`, secret))
  return `${header}.${payload}.${signature}`
}

/**
 * Verifies an HS256 JWT: structure, algorithm (only HS256; `none` and every other is refused),
 * signature (constant-time comparison) and `exp` (seconds) against `nowMs`.
 */
export function verifyJwt(token: string, secret: string, nowMs: number): JwtVerification {
  const parts = token.split('.')
  if (parts.length !== 3) return { ok: false, reason: 'malformed' }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
  const header = decodeJson(headerPart)
  const claims = decodeJson(payloadPart)
  if (!isObject(header) || !isObject(claims) || !/^[A-Za-z0-9_-]+$/.test(signaturePart))
    return { ok: false, reason: 'malformed' }
  if (header.alg !== 'HS256') return { ok: false, reason: 'unsupported_alg' }
  const expected = sign(`${headerPart}.${payloadPart}`, secret)
  const actual = Buffer.from(signaturePart, 'base64url')
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    return { ok: false, reason: 'bad_signature' }
  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return { ok: false, reason: 'malformed' }
    if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' }
  }
  return { ok: true, claims: claims as JwtClaims }
}

/**
 * The emulator's API keys, signed with `secret`: an `anon` key and a `service_role` key, issued by
 * `supabase-demo` and valid until 2032-11-12. With {@link DEFAULT_JWT_SECRET} they are exactly the
 * well-known keys of `supabase start`.
 */
export function createDefaultKeys(secret: string): { anonKey: string; serviceRoleKey: string } {
  return {
    anonKey: signJwt({ iss: 'supabase-demo', role: 'anon', exp: DEFAULT_KEYS_EXP }, secret),
    serviceRoleKey: signJwt({ iss: 'supabase-demo', role: 'service_role', exp: DEFAULT_KEYS_EXP }, secret),
  }
}
