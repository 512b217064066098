import { randomUUID } from 'node:crypto'
import { send, subscribersOf, type JoinedChannel, type ServerContext, type Session } from './session'

/** One tracked presence: the payload as tracked plus its `phx_ref` (and `phx_ref_prev` after an update). */
type Meta = Record<string, unknown>

/** `{ [key]: { metas: [...] } }`, Phoenix.Presence's grouped list. */
type PresenceMap = Record<string, { metas: Meta[] }>

/** What one joined channel knows of presence. */
export interface ChannelPresence {
  key: string
  /** Whether the join asked for presence (`config.presence.enabled`): it then gets `presence_state`. */
  enabled: boolean
  /**
   * Whether it may see presence (`presence_state`, diffs): always on a public channel; on a
   * private one the SELECT policies for `presence`, checked at join when presence is enabled,
   * else on its first track (null until then: it gets no diffs).
   */
  mayRead: boolean | null
  /** The payload tracked (as sent, for the "unchanged" check) and its meta, or null. */
  tracked: { payload: Meta; meta: Meta } | null
  /** The client presence rate limit's window: calls so far and when it ends (on the server's clock). */
  calls: number
  resetAt: number | null
  /** Whether a private channel may track (checked on the first track, as the server caches its policies). */
  mayTrack?: boolean
}

const byChannel = new WeakMap<JoinedChannel, ChannelPresence>()
let nextRef = 0

/** An opaque, unique `phx_ref`. */
function newRef(): string {
  nextRef += 1
  return `F${nextRef.toString(36).padStart(6, '0')}`
}

/** `config.presence.enabled` as the server's FlexibleBoolean casts it: true, or "true" in any case; anything else is false. */
function enabledOf(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true')
}

/**
 * `config.presence.key`: a string as given, a number or boolean as its string (as the server's
 * JSON encodes such map keys); missing or empty gets a generated UUID, as the server does. Objects
 * and arrays (which the real server cannot encode) also get a generated key, logged once.
 */
function keyOf(ctx: ServerContext, value: unknown): string {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value !== undefined && value !== null && value !== '')
    ctx.logger.once('presence-key-type', 'warn', 'config.presence.key is an object or array: a generated key is used', {
      type: Array.isArray(value) ? 'array' : typeof value,
    })
  return randomUUID()
}

/** A channel's presence before it tracks anything. */
function blankPresence(key: string, enabled: boolean, isPrivate: boolean): ChannelPresence {
  return { key, enabled, mayRead: isPrivate ? null : true, tracked: null, calls: 0, resetAt: null }
}

/** A channel's presence before it is joined: its key and whether presence is enabled, from `config.presence`. */
export function presenceConfig(ctx: ServerContext, config: unknown, isPrivate: boolean): ChannelPresence {
  const presence = config !== null && typeof config === 'object' ? (config as Record<string, unknown>) : {}
  return blankPresence(keyOf(ctx, presence.key), enabledOf(presence.enabled), isPrivate)
}

/** The presence state of the channel (registered at join). */
export function channelPresence(channel: JoinedChannel): ChannelPresence {
  let state = byChannel.get(channel)
  if (!state) {
    state = blankPresence(randomUUID(), false, channel.isPrivate)
    byChannel.set(channel, state)
  }
  return state
}

/** Every presence tracked on the channel's topic (same privacy), grouped by key. */
function presenceList(ctx: ServerContext, channel: JoinedChannel): PresenceMap {
  const out: PresenceMap = {}
  for (const [, other] of subscribersOf(ctx, channel.topic, channel.isPrivate)) {
    const state = byChannel.get(other)
    if (!state?.tracked) continue
    ;(out[state.key] ??= { metas: [] }).metas.push(state.tracked.meta)
  }
  return out
}

/** Pushes a `presence_diff` to every channel on the topic that may read presence (the tracking one too), as the fastlane does. */
function broadcastDiff(ctx: ServerContext, channel: JoinedChannel, joins: PresenceMap, leaves: PresenceMap): void {
  for (const [session, other] of subscribersOf(ctx, channel.topic, channel.isPrivate)) {
    if (channelPresence(other).mayRead !== true) continue
    send(ctx, session, {
      join_ref: null,
      ref: null,
      topic: other.topic,
      event: 'presence_diff',
      payload: { joins, leaves },
    })
  }
}

/**
 * Presence at join, after the ok reply: the channel gets the presence `presenceConfig` (and
 * `authorizePresenceRead`) prepared and, when enabled and readable, the topic's `presence_state`
 * pushed with the join's ref. Its tracked presence leaves with it.
 */
export function joinPresence(
  ctx: ServerContext,
  session: Session,
  channel: JoinedChannel,
  state: ChannelPresence,
): void {
  byChannel.set(channel, state)
  channel.onRemoved = () => untrackPresence(ctx, channel)
  if (!state.enabled || state.mayRead !== true) return
  send(ctx, session, {
    join_ref: channel.joinRef,
    ref: null,
    topic: channel.topic,
    event: 'presence_state',
    payload: presenceList(ctx, channel),
  })
}

/** Tracks (or updates) the channel's presence: a diff with the join, and the previous meta as a leave. */
export function trackPresence(ctx: ServerContext, channel: JoinedChannel, payload: Meta): void {
  const state = channelPresence(channel)
  const previous = state.tracked
  const meta: Meta = { ...payload, phx_ref: newRef() }
  if (previous) meta.phx_ref_prev = previous.meta.phx_ref
  state.tracked = { payload, meta }
  state.enabled = true
  broadcastDiff(
    ctx,
    channel,
    { [state.key]: { metas: [meta] } },
    previous ? { [state.key]: { metas: [previous.meta] } } : {},
  )
}

/** Untracks the channel's presence: a diff with the leave (nothing when it tracked nothing). */
export function untrackPresence(ctx: ServerContext, channel: JoinedChannel): void {
  const state = byChannel.get(channel)
  if (!state?.tracked) return
  const { meta } = state.tracked
  state.tracked = null
  broadcastDiff(ctx, channel, {}, { [state.key]: { metas: [meta] } })
}
