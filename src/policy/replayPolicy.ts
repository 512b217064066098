import type { ChannelConfig } from '../events/port'

/** The most messages the server replays to one join (its hard limit). */
export const REPLAY_LIMIT = 25

/**
 * How far before the last message seen a replay starts. `since` is compared with the server's
 * `inserted_at`, so this absorbs the skew between this clock and the database's; what it
 * replays twice is recognised by `meta.id` and dropped.
 */
export const REPLAY_MARGIN_MS = 30_000

/**
 * How long after the join reply replayed messages are counted before the replay is called
 * complete. The server pushes them right behind the reply, on the same socket, so they arrive
 * within a frame or two; a replayed message later than this is still routed, and still counts
 * towards the limit.
 */
export const REPLAY_WINDOW_MS = 1_500

/** Whether a topic's gaps can be repaired by replay: a private topic whose every binding is stored by the database. */
export function replayEligible(config: ChannelConfig, replayWanted: boolean): boolean {
  return (
    replayWanted &&
    config.private &&
    config.postgres.length === 0 &&
    config.broadcast.length === 0 &&
    (config.databaseChanges?.length ?? 0) > 0
  )
}

/**
 * What a rejoin asks the server to replay: everything since the later of the last message seen
 * on the topic and the previous join (what came before either was delivered, replayed or
 * refetched then), minus the margin; null for a first join. The channel saga moves neither
 * during a replay that is not decided yet (see `replayCatchUp.ts`).
 *
 * @example
 * replaySince({ lastSeenAt: 90_000, lastJoinedAt: 10_000 }) // 60_000
 */
export function replaySince({
  lastSeenAt,
  lastJoinedAt,
}: {
  lastSeenAt: number | null
  lastJoinedAt: number | null
}): number | null {
  if (lastJoinedAt === null) return null
  return Math.max(0, Math.max(lastSeenAt ?? lastJoinedAt, lastJoinedAt) - REPLAY_MARGIN_MS)
}

/** A message the server could have held back: the replay may have left some out, so it cannot stand in for a refetch. */
export function replayOverflowed(replayed: number, limit: number): boolean {
  return replayed >= limit
}

/**
 * Whether a replay from `since` covers a message seen live at `seenAt`: a working replay sends
 * that message again, so one that comes back without it is not the whole gap (a server that
 * ignores replay, or a database clock more than the margin behind this one). Near the edge the
 * answer errs towards a refetch.
 *
 * @example
 * replayCovers(60_000, 75_000) // true
 */
export function replayCovers(since: number, seenAt: number): boolean {
  return seenAt >= since
}
