import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TokenAuthority } from './auth'
import type { Hub } from './hub'
import type { AuthorizePrivate } from './session'
import type { JwtClaims } from '../types'

/** Largest REST request body the emulator reads. */
export const MAX_REST_BODY_BYTES = 1024 * 1024

const BATCH_PATH = '/realtime/v1/api/broadcast'
const SINGLE_PATH = /^\/realtime\/v1\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/

/** What the REST broadcast endpoints relay through and check tokens with. */
export interface RestBroadcastDeps {
  hub: Hub
  auth: TokenAuthority
  authorizePrivate?: AuthorizePrivate
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Writes a JSON response (with CORS, the emulator serves browsers too). */
export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

/** Reads a request body, refusing more than `limit` bytes (413). */
export async function readBody(req: IncomingMessage, limit = MAX_REST_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  // An oversized body is read to its end (not kept) so that the client receives the 413 instead of a reset.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= limit) chunks.push(chunk)
  }
  if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`)
  return Buffer.concat(chunks)
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function authenticate(req: IncomingMessage, auth: TokenAuthority): JwtClaims {
  const apikey = headerValue(req, 'apikey') ?? new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('apikey') ?? undefined
  if (!apikey) throw new HttpError(401, 'No API key found in request')
  if (!auth.check(apikey).ok) throw new HttpError(401, 'Invalid API key')
  const bearer = /^Bearer\s+(.+)$/i.exec(headerValue(req, 'authorization') ?? '')?.[1]
  const check = auth.check(bearer ?? apikey)
  if (!check.ok) throw new HttpError(401, check.joinReason)
  return check.claims
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    throw new HttpError(400, 'body is not valid JSON')
  }
}

/**
 * The REST broadcast endpoints supabase-js uses: `POST /realtime/v1/api/broadcast` with
 * `{ messages: [{ topic, event, payload, private? }] }` (the `send()` fallback when a channel is
 * not joined) and `POST /realtime/v1/api/broadcast/:topic/events/:event[?private=true]`
 * (`httpSend`). Both answer 202. Returns false for any other path.
 */
export async function handleRestBroadcast(req: IncomingMessage, res: ServerResponse, deps: RestBroadcastDeps): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const single = SINGLE_PATH.exec(url.pathname)
  if (url.pathname !== BATCH_PATH && !single) return false
  try {
    if (req.method !== 'POST') throw new HttpError(405, 'use POST')
    const claims = authenticate(req, deps.auth)
    const body = await readBody(req)
    const allowed = (subTopic: string, isPrivate: boolean): boolean =>
      !isPrivate || claims.role === 'service_role' || (deps.authorizePrivate ? deps.authorizePrivate(subTopic, claims) : claims.role === 'authenticated')
    if (single) {
      const [, rawTopic = '', rawEvent = ''] = single
      const subTopic = decodeURIComponent(rawTopic)
      const isPrivate = url.searchParams.get('private') === 'true'
      if (!allowed(subTopic, isPrivate)) throw new HttpError(403, `You do not have permissions to write to this Channel topic: ${subTopic}`)
      const binary = (headerValue(req, 'content-type') ?? '').startsWith('application/octet-stream')
      const payload = binary ? body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) : parseJson(body)
      deps.hub.broadcast(subTopic, decodeURIComponent(rawEvent), payload, { isPrivate, binary })
    } else {
      const messages = (parseJson(body) as { messages?: unknown } | null)?.messages
      if (!Array.isArray(messages)) throw new HttpError(400, 'body needs a messages array')
      for (const message of messages as { topic?: unknown; event?: unknown; payload?: unknown; private?: unknown }[]) {
        if (typeof message?.topic !== 'string' || typeof message.event !== 'string') throw new HttpError(400, 'each message needs a string topic and event')
        const subTopic = message.topic.replace(/^realtime:/, '')
        const isPrivate = message.private === true
        if (allowed(subTopic, isPrivate)) deps.hub.broadcast(subTopic, message.event, message.payload, { isPrivate, binary: false })
      }
    }
    json(res, 202, undefined)
  } catch (error) {
    if (!(error instanceof HttpError)) throw error
    json(res, error.status, { error: error.message, message: error.message })
  }
  return true
}
