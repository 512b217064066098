/**
 * The Phoenix wire codec Supabase Realtime speaks (realtime-js 2.x): vsn 1.0.0 frames are JSON
 * objects `{join_ref, ref, topic, event, payload}`, vsn 2.0.0 frames are JSON arrays
 * `[join_ref, ref, topic, event, payload]` plus binary user broadcasts (client→server kind 3,
 * server→client kind 4). Pure functions only: shared by the emulator and the test fakes.
 */

/** A serializer version the server speaks. */
export type Vsn = '1.0.0' | '2.0.0'

/** Serializer versions the emulator accepts in `?vsn=`. */
export const SUPPORTED_VSNS: readonly Vsn[] = ['1.0.0', '2.0.0']

/** One Phoenix message, either direction. */
export interface PhoenixMessage {
  join_ref: string | null
  ref: string | null
  topic: string
  event: string
  payload: unknown
}

/** The result of decoding one client frame: the message, or why it is not one. */
export type DecodeResult = { ok: true; message: PhoenixMessage } | { ok: false; reason: string }

const KIND_USER_BROADCAST_PUSH = 3
const KIND_USER_BROADCAST = 4
const ENCODING_BINARY = 0
const ENCODING_JSON = 1

/**
 * The serializer a `?vsn=` query value selects: Phoenix's default (1.0.0) when absent, `null`
 * for a version the server does not speak.
 */
export function parseVsn(value: string | null): Vsn | null {
  if (value === null || value === '') return '1.0.0'
  return (SUPPORTED_VSNS as readonly string[]).includes(value) ? (value as Vsn) : null
}

/** Encodes a message as a text frame of the given serializer. */
export function encodeTextFrame(vsn: Vsn, message: PhoenixMessage): string {
  const { join_ref, ref, topic, event, payload } = message
  return vsn === '1.0.0'
    ? JSON.stringify({ join_ref, ref, topic, event, payload })
    : JSON.stringify([join_ref, ref, topic, event, payload])
}

const nullableString = (value: unknown): value is string | null | undefined =>
  value == null || typeof value === 'string'

function toMessage(join_ref: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): DecodeResult {
  if (typeof topic !== 'string' || typeof event !== 'string')
    return { ok: false, reason: 'frame has no string topic and event' }
  if (!nullableString(join_ref) || !nullableString(ref))
    return { ok: false, reason: 'join_ref and ref must be strings or null' }
  return { ok: true, message: { join_ref: join_ref ?? null, ref: ref ?? null, topic, event, payload } }
}

/**
 * Decodes a text frame. With `vsn` the frame must have that serializer's shape (array for
 * 2.0.0, object for 1.0.0); without it either shape is accepted.
 */
export function decodeTextFrame(text: string, vsn?: Vsn): DecodeResult {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' }
  }
  if (Array.isArray(parsed)) {
    if (vsn === '1.0.0') return { ok: false, reason: 'array frame on a vsn 1.0.0 socket (expected a JSON object)' }
    if (parsed.length < 5) return { ok: false, reason: 'array frame needs [join_ref, ref, topic, event, payload]' }
    return toMessage(parsed[0], parsed[1], parsed[2], parsed[3], parsed[4])
  }
  if (parsed === null || typeof parsed !== 'object')
    return { ok: false, reason: 'frame is neither a JSON array nor an object' }
  if (vsn === '2.0.0') return { ok: false, reason: 'object frame on a vsn 2.0.0 socket (expected a JSON array)' }
  const { join_ref, ref, topic, event, payload } = parsed as Record<string, unknown>
  return toMessage(join_ref, ref, topic, event, payload)
}

/**
 * Decodes a kind 3 (userBroadcastPush) frame: `[3, joinRefLen, refLen, topicLen, eventLen,
 * metaLen, encoding]`, the five strings, then the payload (raw bytes or JSON). Returns null for
 * anything else, including truncated frames and unparseable JSON.
 */
export function decodeUserBroadcastPush(bytes: Uint8Array): PhoenixMessage | null {
  if (bytes.length < 7 || bytes[0] !== KIND_USER_BROADCAST_PUSH) return null
  const [joinRefLen = 0, refLen = 0, topicLen = 0, eventLen = 0, metaLen = 0, encoding] = Array.from(
    bytes.subarray(1, 7),
  )
  if (encoding !== ENCODING_BINARY && encoding !== ENCODING_JSON) return null
  if (7 + joinRefLen + refLen + topicLen + eventLen + metaLen > bytes.length) return null
  const decoder = new TextDecoder()
  let offset = 7
  const take = (length: number): string => decoder.decode(bytes.subarray(offset, (offset += length)))
  const joinRef = take(joinRefLen)
  const ref = take(refLen)
  const topic = take(topicLen)
  const event = take(eventLen)
  const meta = take(metaLen)
  const body = new Uint8Array(bytes.subarray(offset)) // a copy with its own ArrayBuffer (Buffer#slice would share the pool)
  try {
    const payload = encoding === ENCODING_JSON ? (JSON.parse(decoder.decode(body)) as unknown) : body.buffer
    const data: Record<string, unknown> = { type: 'broadcast', event, payload }
    if (meta) data.meta = JSON.parse(meta) as unknown
    return { join_ref: joinRef || null, ref: ref || null, topic, event: 'broadcast', payload: data }
  } catch {
    return null
  }
}

/**
 * Encodes a kind 4 (userBroadcast) frame, the binary form realtime-js decodes server pushes
 * from: `[4, topicLen, eventLen, metaLen, encoding]`, topic, event, meta, payload. An
 * ArrayBuffer payload goes as raw bytes, anything else as JSON.
 */
export function encodeUserBroadcast(topic: string, event: string, payload: unknown, meta?: unknown): ArrayBuffer {
  const encoder = new TextEncoder()
  const isBinary = payload instanceof ArrayBuffer
  const parts = [topic, event, meta === undefined ? '' : JSON.stringify(meta)].map((s) => encoder.encode(s))
  if (parts.some((part) => part.length > 255))
    throw new RangeError('topic, event and meta of a binary broadcast must each be at most 255 bytes')
  const body = isBinary ? new Uint8Array(payload) : encoder.encode(JSON.stringify(payload ?? null))
  const out = new Uint8Array(5 + parts.reduce((n, p) => n + p.length, 0) + body.length)
  out.set([
    KIND_USER_BROADCAST,
    parts[0]!.length,
    parts[1]!.length,
    parts[2]!.length,
    isBinary ? ENCODING_BINARY : ENCODING_JSON,
  ])
  let offset = 5
  for (const part of [...parts, body]) {
    out.set(part, offset)
    offset += part.length
  }
  return out.buffer
}
