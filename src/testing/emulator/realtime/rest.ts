import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TokenAuthority } from './auth'
import type { Hub } from './hub'
import { persistBroadcast } from './persistBroadcast'
import { countMessageSent, restBroadcastRefusal } from './limits'
import type { ServerContext } from './session'
import type { JwtClaims } from '../types'

/** Largest REST request body read (Plug.Parsers' default 8 MB); bigger ones get 413. */
export const MAX_REST_BODY_BYTES = 8_000_000
/** The Pro plan's `max_payload_size_in_kb` (3000): a bigger payload gets 422. */
export const MAX_PAYLOAD_BYTES = 3_000_000
const TOO_BIG = 'Payload size exceeds tenant limit'

const BATCH_PATH = '/realtime/v1/api/broadcast'
const SINGLE_PATH = /^\/realtime\/v1\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/

/** What the REST broadcast endpoints relay through and check tokens with. */
export interface RestBroadcastDeps {
  hub: Hub
  auth: TokenAuthority
  /** Who may read and write private topics (the override, RLS policies, or the default rule). */
  ctx: ServerContext
}

/** An answer other than 202: its status and JSON body. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body))
  }
}

/** Writes a JSON response (with CORS, the emulator serves browsers too). */
export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Access-Control-Allow-Origin': '*',
    'Content-Length': Buffer.byteLength(text),
  })
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
  if (size > limit) throw new HttpError(413, { message: 'Payload Too Large' })
  return Buffer.concat(chunks)
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The server's `AuthTenant` plug: the Bearer token, else the `apikey` header; any failure is 401 "Unauthorized". */
function authenticate(req: IncomingMessage, auth: TokenAuthority): JwtClaims {
  const authorization = headerValue(req, 'authorization')
  let token: string | undefined
  if (authorization) {
    const parts = authorization.split(' ')
    if (parts.length === 2 && parts[0]!.toLowerCase() === 'bearer') token = parts[1]
  } else token = headerValue(req, 'apikey')
  const check = token ? auth.check(token) : null
  if (!check?.ok) throw new HttpError(401, { message: 'Unauthorized' })
  return check.claims
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {}
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    throw new HttpError(400, 'Bad Request') // Plug.Parsers.ParseError, rendered by Phoenix as the status text
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

interface BatchMessage {
  topic: string
  event: string
  payload: Record<string, unknown>
  private: boolean
}

/** Ecto's errors for one message of the batch (`can't be blank`, `is invalid`), or null when it is valid. */
function messageErrors(message: unknown): Record<string, string[]> | null {
  if (!isObject(message)) return { messages: ['is invalid'] }
  const errors: Record<string, string[]> = {}
  for (const key of ['topic', 'event'] as const) {
    const value = message[key]
    if (value === undefined || value === null || value === '') errors[key] = ["can't be blank"]
    else if (typeof value !== 'string') errors[key] = ['is invalid']
  }
  if (message.payload === undefined || message.payload === null) errors.payload = ["can't be blank"]
  else if (!isObject(message.payload)) errors.payload = ['is invalid']
  else if (Buffer.byteLength(JSON.stringify(message.payload)) > MAX_PAYLOAD_BYTES) errors.payload = [TOO_BIG]
  const flag = message.private
  if (flag !== undefined && flag !== null && typeof flag !== 'boolean' && flag !== 'true' && flag !== 'false')
    errors.private = ['is invalid']
  return Object.keys(errors).length === 0 ? null : errors
}

/** The batch body as the server's changeset reads it; 422 `{ errors }` when it is not valid. */
function batchMessages(body: unknown): BatchMessage[] {
  const messages = isObject(body) ? body.messages : undefined
  if (messages === undefined || messages === null)
    throw new HttpError(422, { errors: { messages: ["can't be blank"] } })
  if (!Array.isArray(messages)) throw new HttpError(422, { errors: { messages: ['is invalid'] } })
  const perMessage = messages.map(messageErrors)
  const whole = perMessage.find((errors) => errors?.messages)
  if (whole) throw new HttpError(422, { errors: whole })
  if (perMessage.some((errors) => errors !== null))
    throw new HttpError(422, { errors: { messages: perMessage.map((errors) => errors ?? {}) } })
  return (messages as Record<string, unknown>[]).map((message) => ({
    topic: message.topic as string,
    event: message.event as string,
    payload: message.payload as Record<string, unknown>,
    private: message.private === true || message.private === 'true',
  }))
}

/** A 429 with the server's text while the project is over its messages per second. */
function refuseOverRate(ctx: ServerContext, batchSize: number | null): void {
  const reason = restBroadcastRefusal(ctx, batchSize)
  if (reason !== null) throw new HttpError(429, { message: reason })
}

/**
 * The REST broadcast endpoints supabase-js uses, answering as the real server does:
 * `POST /realtime/v1/api/broadcast` with `{ messages: [{ topic, event, payload, private? }] }`
 * (the `send()` fallback when a channel is not joined; a private message the token may not
 * write is skipped) and `POST /realtime/v1/api/broadcast/:topic/events/:event[?private=true]`
 * (`httpSend`; 403 `{"message":"Unauthorized"}` when refused). 202 when sent, 401 without a
 * valid token, 422 `{ errors }` for a bad batch, 415 for another content type.
 */
export async function handleRestBroadcast(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RestBroadcastDeps,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const single = SINGLE_PATH.exec(url.pathname)
  if (url.pathname !== BATCH_PATH && !single) return false
  try {
    if (req.method !== 'POST') throw new HttpError(404, { message: 'Not Found' })
    const contentType = headerValue(req, 'content-type') ?? ''
    const binary = contentType.startsWith('application/octet-stream')
    if (single && contentType !== '' && !/^application\/(json|octet-stream)\b/.test(contentType)) {
      throw new HttpError(415, { error: 'Unsupported Media Type. Use application/json or application/octet-stream' })
    }
    const claims = authenticate(req, deps.auth)
    const body = await readBody(req)
    // A private send needs write permission: RLS INSERT on realtime.messages, else the read rule.
    const allowed = async (subTopic: string, isPrivate: boolean): Promise<boolean> => {
      if (!isPrivate || claims.role === 'service_role') return true
      if (deps.ctx.authorizePrivate) return deps.ctx.authorizePrivate(subTopic, claims)
      const byPolicy = deps.ctx.policies ? await deps.ctx.policies.allows('write', subTopic, claims) : null
      return byPolicy ?? claims.role === 'authenticated'
    }
    if (single) {
      const [, rawTopic = '', rawEvent = ''] = single
      const subTopic = decodeURIComponent(rawTopic)
      const isPrivate = url.searchParams.get('private') === 'true'
      const payload = binary ? body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) : parseJson(body)
      const size = payload instanceof ArrayBuffer ? payload.byteLength : Buffer.byteLength(JSON.stringify(payload))
      if (size > MAX_PAYLOAD_BYTES) throw new HttpError(422, { errors: { payload: [TOO_BIG] } })
      // supabase-js 2.119+ asks `?persist=true` (or `persist[ttl]=`) to store the message for replay.
      const persist = url.searchParams.get('persist') === 'true' || url.searchParams.has('persist[ttl]')
      if (persist && !isPrivate)
        throw new HttpError(422, { errors: { persist: ['can only be used on private channels'] } })
      refuseOverRate(deps.ctx, null)
      if (!(await allowed(subTopic, isPrivate))) throw new HttpError(403, { message: 'Unauthorized' })
      countMessageSent(deps.ctx)
      const event = decodeURIComponent(rawEvent)
      deps.hub.broadcast(subTopic, event, payload, { isPrivate, binary })
      if (persist) await persistBroadcast(deps.ctx, subTopic, isPrivate, event, payload)
    } else {
      const messages = batchMessages(parseJson(body))
      refuseOverRate(deps.ctx, messages.length)
      for (const message of messages) {
        const subTopic = message.topic.replace(/^realtime:/, '')
        if (!(await allowed(subTopic, message.private))) continue
        countMessageSent(deps.ctx)
        deps.hub.broadcast(subTopic, message.event, message.payload, { isPrivate: message.private, binary: false })
      }
    }
    json(res, 202, undefined)
  } catch (error) {
    if (!(error instanceof HttpError)) throw error
    json(res, error.status, error.body)
  }
  return true
}
