import type { SagaIterator } from 'redux-saga'
import { put } from 'redux-saga/effects'
import type { RealtimeError } from '../errors/realtimeError'
import type { RealtimeEvent } from '../events/events'
import type { ChannelConfig } from '../events/port'
import {
  REPLAY_LIMIT,
  REPLAY_WINDOW_MS,
  replayCovers,
  replayEligible,
  replayOverflowed,
  replaySince,
} from '../policy/replayPolicy'
import type { SerializableSpec } from '../subscription/spec'
import type { CoreContext } from './context'

/** Message ids remembered per topic, to recognise a replayed message already seen live. */
const SEEN_IDS_KEPT = 200

/**
 * What a topic's channel saga remembers across its joins for replay catch-up. `lastSeenAt` and
 * `lastJoinedAt` are where the next replay starts: they move only past a gap that is repaired
 * (a join without replay, a replay decided complete, or a fallback), never during a replay.
 */
export interface ReplayMemory {
  lastSeenAt: number | null
  lastJoinedAt: number | null
  /** The latest message seen that carried an id: a working replay that covers it sends it again. */
  lastMessage: SeenMessage | null
  /** Message ids seen, oldest first (a Set keeps insertion order). */
  seen: Set<string>
  /** The server refused the last replay: the next join goes without, and its gap is refetched. */
  refused: boolean
}

interface SeenMessage {
  id: string
  at: number
}

/** One join's replay: what it asked, and what came back so far. */
export interface ReplayWatch {
  asked: { since: number; limit: number } | null
  /** The id of the last message seen, when the replay's range covers it: it must come back again. */
  expected: string | null
  expectedBack: boolean
  replayed: number
  duplicates: number
  /** When the replay is called complete (set at SUBSCRIBED); null before, or once decided. */
  windowEndsAt: number | null
  decided: boolean
  /** The replay reached its limit and the topic fell back to the invalidation (once per join). */
  fellBack: boolean
  /** Replayed messages already counted in the slice (by a completion before a late overflow). */
  reported: number
  /** The join and the latest message of an undecided replay, kept out of the memory until it is decided. */
  held: { joinedAt: number | null; lastSeenAt: number | null; lastMessage: SeenMessage | null }
}

export function newReplayMemory(): ReplayMemory {
  return { lastSeenAt: null, lastJoinedAt: null, lastMessage: null, seen: new Set(), refused: false }
}

/** The replay a join asks for: only on a rejoin of an eligible topic whose last replay was not refused. */
export function replayWatchFor(
  memory: ReplayMemory,
  config: ChannelConfig,
  subscribers: ReadonlyMap<string, SerializableSpec>,
): ReplayWatch {
  const wanted = [...subscribers.values()].every((spec) => spec.changes?.replay !== false)
  const since = replaySince(memory)
  const ask = !memory.refused && since !== null && replayEligible(config, wanted)
  return {
    asked: ask ? { since, limit: REPLAY_LIMIT } : null,
    expected: ask && memory.lastMessage && replayCovers(since, memory.lastMessage.at) ? memory.lastMessage.id : null,
    expectedBack: false,
    replayed: 0,
    duplicates: 0,
    windowEndsAt: null,
    decided: false,
    fellBack: false,
    reported: 0,
    held: { joinedAt: null, lastSeenAt: null, lastMessage: null },
  }
}

/** Whether a join that asked for replay was refused for it (`UnableToReplayMessages: …`, before any SUBSCRIBED). */
export function replayRefused(
  watch: ReplayWatch,
  outcome: { kind: string; joined: boolean; error?: RealtimeError },
): boolean {
  return watch.asked !== null && !outcome.joined && outcome.error?.message.includes('UnableToReplayMessages') === true
}

const undecided = (watch: ReplayWatch) => watch.asked !== null && !watch.decided

const later = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b))

const latest = (a: SeenMessage | null, b: SeenMessage | null) => (a === null ? b : b === null || a.at > b.at ? a : b)

/**
 * The join was acknowledged: replayed messages are counted from now for the window. A join
 * whose replay is undecided holds its time back: if the channel ends before the replay is
 * decided, the next join asks again from the same start.
 */
export function replayJoined(watch: ReplayWatch, memory: ReplayMemory, at: number): void {
  memory.refused = false
  if (!undecided(watch)) {
    memory.lastJoinedAt = at
    return
  }
  watch.held.joinedAt = at
  watch.windowEndsAt = at + REPLAY_WINDOW_MS
}

/** The replay is decided (complete, or fallen back to the invalidation): the gap is repaired, the start moves on. */
function replayDecided(watch: ReplayWatch, memory: ReplayMemory): void {
  watch.decided = true
  watch.windowEndsAt = null
  memory.lastJoinedAt = later(memory.lastJoinedAt, watch.held.joinedAt)
  memory.lastSeenAt = later(memory.lastSeenAt, watch.held.lastSeenAt)
  memory.lastMessage = latest(memory.lastMessage, watch.held.lastMessage)
}

/**
 * Notes an event of the topic; returns false for a duplicate (a message whose id was seen
 * already: idempotent). A replay that reaches its limit may have left messages out: the topic
 * falls back to the blanket catch-up invalidation.
 */
export function* replayNoted(
  ctx: CoreContext,
  topic: string,
  watch: ReplayWatch,
  memory: ReplayMemory,
  event: RealtimeEvent,
): SagaIterator<boolean> {
  const id = event.messageId
  // A replayed message's own time is unknown (it is sent again now): only a live one marks where the topic was.
  const message = id === undefined || event.replayed === true ? null : { id, at: event.receivedAt }
  const into = undecided(watch) ? watch.held : memory
  into.lastSeenAt = later(into.lastSeenAt, event.receivedAt)
  into.lastMessage = latest(into.lastMessage, message)
  if (event.replayed === true) watch.replayed += 1
  if (event.replayed === true && id !== undefined && id === watch.expected) watch.expectedBack = true
  const duplicate = id !== undefined && memory.seen.has(id)
  if (id !== undefined && !duplicate) {
    memory.seen.add(id)
    if (memory.seen.size > SEEN_IDS_KEPT) memory.seen.delete(memory.seen.values().next().value as string)
  }
  if (duplicate && event.replayed === true) watch.duplicates += 1
  // Checked after the window too: a replayed message that arrives late still counts towards the limit.
  if (watch.asked && !watch.fellBack && replayOverflowed(watch.replayed, watch.asked.limit)) {
    replayDecided(watch, memory)
    watch.fellBack = true
    ctx.logger.info('the replay reached its limit; refetching the topic instead', { topic })
    const replayed = watch.replayed - watch.reported
    watch.reported = watch.replayed
    yield put(ctx.actions.catchUpReplayFellBack({ topic, reason: 'overflow', replayed, at: event.receivedAt }))
  }
  return !duplicate
}

/**
 * The window closed below the limit: the replayed messages were the whole gap, unless the last
 * message seen, inside the replay's range, did not come back. Then the server ignored the replay
 * (one too old to know it) or its clock is more than the margin behind this one: the topic falls
 * back to the invalidation.
 */
export function* replayCompleted(
  ctx: CoreContext,
  topic: string,
  watch: ReplayWatch,
  memory: ReplayMemory,
): SagaIterator<void> {
  replayDecided(watch, memory)
  const at = ctx.env.clock.now()
  const replayed = watch.replayed - watch.reported
  watch.reported = watch.replayed
  if (watch.expected === null || watch.expectedBack) {
    yield put(ctx.actions.catchUpReplayed({ topic, replayed, duplicates: watch.duplicates, at }))
    return
  }
  watch.fellBack = true
  ctx.logger.once(
    'replay-incomplete',
    'warn',
    'the replay did not send back the last message seen (a server without replay, or clocks more than 30 s apart); refetching the topic instead',
    { topic },
  )
  yield put(ctx.actions.catchUpReplayFellBack({ topic, reason: 'incomplete', replayed, at }))
}
