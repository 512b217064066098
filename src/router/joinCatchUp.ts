import { coveredEntries } from '../rtkq/coveredEntries'
import type { FullTag } from './tags'
import type { BuildRouterHandler } from './routerContext'

/** First fetches in flight at a first join that we wait on at most (bounded memory). */
const MAX_WATCHED = 1_000

/**
 * Catch-up on `SUBSCRIBED` (DESIGN §3.6). Every join after the first on a topic lost the events
 * of its gap: the topic's subscription tags are invalidated. The first join is a gap too: a
 * change committed between a query's fetch and the join would be lost, so on a topic's first
 * `SUBSCRIBED` the router refetches the entries those tags cover whose data was fetched, or
 * started fetching, before the join. The join is handled in the dispatch that reports it, so
 * those are the entries in the cache then: they are refetched one by one (an entry in flight
 * once more when it settles, as are first fetches in flight whose tags are known only when they
 * settle). A rejoin that asked the server to replay its gap skips the invalidation: the replayed
 * messages are routed like live ones (`replayFallback.ts` invalidates if the replay overflows).
 * A query that starts after the join is not refetched (a tag invalidation, which RTK
 * Query may hold until unrelated requests settle, would sweep it in too).
 * @internal
 */
export const buildJoinCatchUpHandler: BuildRouterHandler = (listener, ctx) => {
  const { api, actions, selectors, logger } = ctx.deps
  const { refetches, pending } = ctx.reads
  /** requestId of a fetch in flight at a first join → the tags of that join. */
  const watched = new Map<string, FullTag[]>()

  const covered = (state: unknown, tags: FullTag[]): string[] =>
    coveredEntries(api, state, tags, (error) =>
      logger.once('select-invalidated-failed', 'warn', 'could not look up the queries behind a catch-up', {
        error: String(error),
      }),
    )

  listener.startListening({
    actionCreator: actions.channelSubscribed,
    effect: (action, api) => {
      const state = api.getState()
      const channel = selectors.selectChannel(action.payload.topic)(state)
      if (!channel) return
      const tags = ctx.deps.topicTags(action.payload.topic)
      if (tags.length === 0) return
      if (!channel.resumed) {
        // A replay under way stands in for the blanket invalidation; replayFallback issues it if the replay overflows.
        if (action.payload.replay === true) return
        return ctx.issuer.invalidate(tags)
      }
      const keys = covered(state, tags)
      refetches.refetchEntries(state, keys)
      const known = new Set(keys)
      for (const read of pending.reads()) {
        if (known.has(read.queryCacheKey)) continue
        watched.set(read.requestId, tags)
        if (watched.size > MAX_WATCHED) watched.delete(watched.keys().next().value as string)
      }
    },
  })

  // A first fetch in flight at a first join is refetched when it settles, if that join's tags cover it.
  ctx.reads.onSettled(({ read, state }) => {
    const tags = watched.get(read.requestId)
    if (!tags) return
    watched.delete(read.requestId)
    if (covered(state, tags).includes(read.queryCacheKey)) refetches.refetchEntries(state, [read.queryCacheKey])
  })

  return {
    stop(): void {
      watched.clear()
    },
  }
}
