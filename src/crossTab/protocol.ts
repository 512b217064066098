import type { FullTag } from '../router/tags'

/** The version every cross-tab message carries; other versions are dropped (and counted). */
export const CROSS_TAB_PROTOCOL_VERSION = 1
/** Tags per relay message at most (a larger invalidation is sent in several messages). */
export const MAX_RELAY_TAGS = 256
export const MAX_TAG_TYPE_LENGTH = 128
export const MAX_TAG_ID_LENGTH = 512
export const MAX_TAB_ID_LENGTH = 64

/** "I am alive": every tab sends one every heartbeat interval. */
export interface HeartbeatMessage {
  v: 1
  kind: 'heartbeat'
  from: string
  /** The sender leads the tabs. */
  leader: boolean
  visible: boolean
}

/** "I am leaving": sent by a tab that stops (best effort: a crashed tab sends nothing). */
export interface ByeMessage {
  v: 1
  kind: 'bye'
  from: string
}

/** A local mutation invalidated these tags: invalidate those of them your cache provides. */
export interface InvalidateMessage {
  v: 1
  kind: 'invalidate'
  from: string
  tags: FullTag[]
}

export type CrossTabMessage = HeartbeatMessage | ByeMessage | InvalidateMessage

/** Why a message was dropped: counted in `crossTab.relaysDropped`, logged once per reason. */
export type DropReason = 'NOT_AN_OBJECT' | 'UNSUPPORTED_VERSION' | 'UNKNOWN_KIND' | 'BAD_SENDER' | 'BAD_FIELDS' | 'BAD_TAGS' | 'TOO_MANY_TAGS'

export type ParseResult = { ok: true; message: CrossTabMessage } | { ok: false; reason: DropReason }

const drop = (reason: DropReason): ParseResult => ({ ok: false, reason })

/** A tag as it may cross tabs: a short type and, optionally, a short string or finite number id. */
export function isRelayTag(value: unknown): value is FullTag {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const { type, id } = value as { type?: unknown; id?: unknown }
  if (typeof type !== 'string' || type === '' || type.length > MAX_TAG_TYPE_LENGTH) return false
  if (id === undefined) return true
  if (typeof id === 'number') return Number.isFinite(id)
  return typeof id === 'string' && id.length <= MAX_TAG_ID_LENGTH
}

/** Copies only the fields a tag has (a message never carries more than it says). */
function copyTag(tag: FullTag): FullTag {
  return tag.id === undefined ? { type: tag.type } : { type: tag.type, id: tag.id }
}

/**
 * Validates what arrived on the channel. Never throws: anything that is not a well-formed
 * message of this version comes back as a reason to drop it.
 *
 * @example
 * parseMessage({ v: 1, kind: 'bye', from: 'k3x9' }) // { ok: true, message: { v: 1, kind: 'bye', from: 'k3x9' } }
 * parseMessage({ v: 2, kind: 'bye', from: 'k3x9' }) // { ok: false, reason: 'UNSUPPORTED_VERSION' }
 */
export function parseMessage(data: unknown): ParseResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return drop('NOT_AN_OBJECT')
  const record = data as Record<string, unknown>
  if (record.v !== CROSS_TAB_PROTOCOL_VERSION) return drop('UNSUPPORTED_VERSION')
  const { kind, from } = record
  if (kind !== 'heartbeat' && kind !== 'bye' && kind !== 'invalidate') return drop('UNKNOWN_KIND')
  if (typeof from !== 'string' || from === '' || from.length > MAX_TAB_ID_LENGTH) return drop('BAD_SENDER')
  if (kind === 'bye') return { ok: true, message: { v: 1, kind, from } }
  if (kind === 'heartbeat') {
    if (typeof record.leader !== 'boolean' || typeof record.visible !== 'boolean') return drop('BAD_FIELDS')
    return { ok: true, message: { v: 1, kind, from, leader: record.leader, visible: record.visible } }
  }
  const tags = record.tags
  if (!Array.isArray(tags) || tags.length === 0) return drop('BAD_TAGS')
  if (tags.length > MAX_RELAY_TAGS) return drop('TOO_MANY_TAGS')
  if (!tags.every(isRelayTag)) return drop('BAD_TAGS')
  return { ok: true, message: { v: 1, kind, from, tags: tags.map(copyTag) } }
}

/** The relay messages for `tags`: tags that cannot cross tabs are left out, the rest split by {@link MAX_RELAY_TAGS}. */
export function invalidateMessages(from: string, tags: readonly unknown[]): InvalidateMessage[] {
  const sendable = tags.filter(isRelayTag).map(copyTag)
  const messages: InvalidateMessage[] = []
  for (let start = 0; start < sendable.length; start += MAX_RELAY_TAGS) {
    messages.push({ v: 1, kind: 'invalidate', from, tags: sendable.slice(start, start + MAX_RELAY_TAGS) })
  }
  return messages
}
