// HTTP plumbing of the PostgREST subset: CORS, authentication, content negotiation, bodies.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { verifyJwt, type JwtFailure } from '../jwt'
import type { JwtClaims } from '../types'
import { PostgrestHttpError, unauthorized } from './postgrestErrors'

const ALLOWED_ROLES = new Set(['anon', 'authenticated', 'service_role'])
const MAX_BODY_BYTES = 1024 * 1024
const ALLOW_HEADERS =
  'authorization, apikey, content-type, prefer, accept, accept-profile, content-profile, range, range-unit, x-client-info, x-retry-count'

/** Headers every answer carries (the demo's browser app calls from another origin). */
export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Location, Preference-Applied',
}

/** Answers a CORS preflight. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    ...CORS_HEADERS,
    'Access-Control-Allow-Methods': 'GET, HEAD, POST, PATCH, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? ALLOW_HEADERS,
    'Access-Control-Max-Age': '86400',
  })
  res.end()
}

/** Writes a JSON answer (no body for HEAD or when `body` is undefined). */
export function send(
  res: ServerResponse,
  status: number,
  body: string | undefined,
  headers: Record<string, string> = {},
  head = false,
): void {
  const withBody = body !== undefined && !head
  res.writeHead(status, {
    ...CORS_HEADERS,
    ...(body !== undefined ? { 'Content-Type': headers['Content-Type'] ?? 'application/json; charset=utf-8' } : {}),
    ...headers,
  })
  res.end(withBody ? body : undefined)
}

const FAILURES: Record<JwtFailure, [string, string]> = {
  malformed: ['PGRST301', 'Expected 3 parts in JWT'],
  bad_signature: ['PGRST301', 'JWSError JWSInvalidSignature'],
  unsupported_alg: ['PGRST301', 'JWSError JWSInvalidAlgorithm'],
  expired: ['PGRST303', 'JWT expired'],
}

function verified(token: string, secret: string, nowMs: number, apiKey: boolean): JwtClaims {
  const result = verifyJwt(token, secret, nowMs)
  if (result.ok) return result.claims
  const [code, message] = FAILURES[result.reason]
  if (apiKey)
    throw unauthorized(
      code,
      `Invalid API key: ${message}`,
      'Double check your Supabase `anon` or `service_role` API key.',
    )
  throw unauthorized(code, message)
}

/**
 * Checks the request's credentials as Supabase's gateway and PostgREST do: an `apikey` (header or
 * query parameter) and/or `Authorization: Bearer <jwt>`, each a JWT signed with `secret`. The
 * bearer token, when present, decides the role; `anon`, `authenticated` and `service_role` pass.
 */
export function authenticate(req: IncomingMessage, search: URLSearchParams, secret: string, nowMs: number): JwtClaims {
  const apiKeyHeader = req.headers.apikey
  const apiKey = (Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader) ?? search.get('apikey') ?? undefined
  const authorization = req.headers.authorization
  const bearer = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] : undefined
  if (authorization && !bearer) throw unauthorized('PGRST301', 'Invalid Authorization header: expected "Bearer <jwt>"')
  if (!apiKey && !bearer)
    throw unauthorized('PGRST302', 'No API key found in request', 'No `apikey` request header or url param was found.')
  let claims: JwtClaims | undefined
  if (apiKey) claims = verified(apiKey, secret, nowMs, true)
  if (bearer) claims = verified(bearer, secret, nowMs, false)
  const role = claims?.role ?? 'anon'
  if (typeof role !== 'string' || !ALLOWED_ROLES.has(role))
    throw unauthorized('PGRST301', `JWT role ${JSON.stringify(role)} is not accepted by the emulator`)
  return { ...claims, role }
}

/** What the client accepts: an array (default) or one object (`.single()`), nulls stripped or not. */
export function negotiate(req: IncomingMessage): { object: boolean; stripNulls: boolean } {
  const accept = (req.headers.accept ?? '').toLowerCase()
  if (/text\/csv|geo\+json|vnd\.pgrst\.plan/.test(accept)) {
    throw new PostgrestHttpError(406, 'PGRST107', `None of these media types are available: ${accept}`, {
      hint: 'the emulator answers JSON only',
    })
  }
  return { object: accept.includes('application/vnd.pgrst.object+json'), stripNulls: accept.includes('nulls=stripped') }
}

/** Refuses a schema other than `schema` in Accept-Profile / Content-Profile. */
export function checkProfile(req: IncomingMessage, schema: string): void {
  for (const header of ['accept-profile', 'content-profile']) {
    const value = req.headers[header]
    if (value !== undefined && value !== schema) {
      throw new PostgrestHttpError(406, 'PGRST106', `The schema must be one of the following: ${schema}`)
    }
  }
}

/** Reads and parses a JSON body (at most 1 MiB). */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES)
      throw new PostgrestHttpError(413, 'PGRST413', 'Request body too large for the emulator (1 MiB at most)')
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new PostgrestHttpError(400, 'PGRST102', 'Empty or invalid json')
  }
}
