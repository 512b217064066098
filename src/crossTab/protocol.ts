import { toFullTag, type FullTag } from '../router/tags'

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
  /** The sender polls now (realtime down, or a channel degraded). Absent: not known (an older sender). */
  polling?: boolean
  /**
   * The tags the sender's own poll invalidates, announced while it is visible and polling so the
   * leader's poll covers them (at most {@link MAX_RELAY_TAGS}; with more, none are sent).
   */
  tags?: FullTag[]
}

/** "I am leaving": sent by a tab that stops (best effort: a crashed tab sends nothing). */
export interface ByeMessage {
  v: 1
  kind: 'bye'
  from: string
}

/** Why tags were relayed: a local mutation (the default when absent), or the leader's poll. */
export type RelayCause = 'mutation' | 'poll'

/** A local mutation (or the leader's poll) invalidated these tags: invalidate those of them your cache provides. */
export interface InvalidateMessage {
  v: 1
  kind: 'invalidate'
  from: string
  tags: FullTag[]
  /** Absent for a mutation. A poll relay applies only in a visible tab that polls itself. */
  cause?: RelayCause
}

/**
 * "My connection is back": sent once when the sender's connection becomes `connected` after not
 * being connected (never per probe). Every tab has its own socket to the same server, so another
 * tab waiting out a backoff retries at once. A tab of an older version drops it as an unknown kind
 * (counted there, as any unknown kind).
 */
export interface ConnectedMessage {
  v: 1
  kind: 'connected'
  from: string
}

export type CrossTabMessage = HeartbeatMessage | ByeMessage | InvalidateMessage | ConnectedMessage

const KINDS: ReadonlySet<unknown> = new Set<CrossTabMessage['kind']>(['heartbeat', 'bye', 'invalidate', 'connected'])
const isKind = (kind: unknown): kind is CrossTabMessage['kind'] => KINDS.has(kind)

/** Why a message was dropped: counted in `crossTab.relaysDropped`, logged once per reason. */
export type DropReason =
  'NOT_AN_OBJECT' | 'UNSUPPORTED_VERSION' | 'UNKNOWN_KIND' | 'BAD_SENDER' | 'BAD_FIELDS' | 'BAD_TAGS' | 'TOO_MANY_TAGS'

export type ParseResult = { ok: true; message: CrossTabMessage } | { ok: false; reason: DropReason }

const drop = (reason: DropReason): ParseResult => ({ ok: false, reason })

/**
 * A tag as it may cross tabs: a tag object (`toFullTag`'s rules) with a short type and, when a
 * string, a short id; null otherwise. The copy carries only `type` and `id`.
 */
function relayTag(value: unknown): FullTag | null {
  if (typeof value !== 'object') return null
  const tag = toFullTag(value)
  if (!tag || tag.type.length > MAX_TAG_TYPE_LENGTH) return null
  return typeof tag.id === 'string' && tag.id.length > MAX_TAG_ID_LENGTH ? null : tag
}

/** Whether a value may cross tabs as a tag (see `relayTag`). */
export function isRelayTag(value: unknown): value is FullTag {
  return relayTag(value) !== null
}

/** The relay copies of tags already checked with `isRelayTag`. */
const copyTags = (tags: readonly unknown[]): FullTag[] => tags.map((tag) => relayTag(tag) as FullTag)

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
  if (!isKind(kind)) return drop('UNKNOWN_KIND')
  if (typeof from !== 'string' || from === '' || from.length > MAX_TAB_ID_LENGTH) return drop('BAD_SENDER')
  if (kind === 'bye' || kind === 'connected') return { ok: true, message: { v: 1, kind, from } }
  if (kind === 'heartbeat') return parseHeartbeat(record, from)
  const { tags, cause } = record
  if (!Array.isArray(tags) || tags.length === 0) return drop('BAD_TAGS')
  if (tags.length > MAX_RELAY_TAGS) return drop('TOO_MANY_TAGS')
  if (!tags.every(isRelayTag)) return drop('BAD_TAGS')
  if (cause !== undefined && cause !== 'mutation' && cause !== 'poll') return drop('BAD_FIELDS')
  const message: InvalidateMessage = { v: 1, kind, from, tags: copyTags(tags) }
  if (cause !== undefined) message.cause = cause
  return { ok: true, message }
}

/** A heartbeat; `polling` and `tags` are optional (older tabs do not send them) but strict when present. */
function parseHeartbeat(record: Record<string, unknown>, from: string): ParseResult {
  const { leader, visible, polling, tags } = record
  if (typeof leader !== 'boolean' || typeof visible !== 'boolean') return drop('BAD_FIELDS')
  if (polling !== undefined && typeof polling !== 'boolean') return drop('BAD_FIELDS')
  const message: HeartbeatMessage = { v: 1, kind: 'heartbeat', from, leader, visible }
  if (polling !== undefined) message.polling = polling
  if (tags !== undefined) {
    if (!Array.isArray(tags)) return drop('BAD_TAGS')
    if (tags.length > MAX_RELAY_TAGS) return drop('TOO_MANY_TAGS')
    if (!tags.every(isRelayTag)) return drop('BAD_TAGS')
    message.tags = copyTags(tags)
  }
  return { ok: true, message }
}

/**
 * The relay messages for `tags`: tags that cannot cross tabs are left out, the rest split by
 * {@link MAX_RELAY_TAGS}. A mutation's messages carry no `cause` (as before it existed).
 */
export function invalidateMessages(
  from: string,
  tags: readonly unknown[],
  cause: RelayCause = 'mutation',
): InvalidateMessage[] {
  const sendable = tags.map(relayTag).filter((tag): tag is FullTag => tag !== null)
  const messages: InvalidateMessage[] = []
  for (let start = 0; start < sendable.length; start += MAX_RELAY_TAGS) {
    const message: InvalidateMessage = {
      v: 1,
      kind: 'invalidate',
      from,
      tags: sendable.slice(start, start + MAX_RELAY_TAGS),
    }
    if (cause === 'poll') message.cause = 'poll'
    messages.push(message)
  }
  return messages
}

/** The `tags` a heartbeat may announce: all of them, or undefined when they cannot all cross tabs or are too many. */
export function announcedTags(tags: readonly FullTag[]): FullTag[] | undefined {
  if (tags.length > MAX_RELAY_TAGS || !tags.every(isRelayTag)) return undefined
  return copyTags(tags)
}
