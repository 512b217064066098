import type { IncomingMessage, ServerResponse } from 'node:http'

/** Where Auth is mounted. */
export const PREFIX = '/auth/v1'
const MAX_BODY_BYTES = 1024 * 1024
const API_VERSION = '2024-01-01'
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
export const MIN_PASSWORD = 6

/** A GoTrue error: status, `code` and `message` (API version 2024-01-01). */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

/**
 * Writes a JSON answer with GoTrue's headers.
 * @internal
 */
export function reply(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? undefined : JSON.stringify(body)
  res.writeHead(status, {
    'Access-Control-Allow-Origin': '*',
    'X-Supabase-Api-Version': API_VERSION,
    ...(text === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }),
  })
  res.end(text)
}

/**
 * The request body as a JSON object, refused as GoTrue refuses it.
 * @internal
 */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
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

/**
 * A body field that must be a string when present (Go's JSON decoding refuses other types).
 * @internal
 */
export function text(body: Record<string, unknown>, field: string): string {
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

/**
 * The first value of a request header.
 * @internal
 */
export const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}
