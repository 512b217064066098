import { coveredEntries } from '../rtkq/coveredEntries'
import { cachedEntry } from '../rtkq/rtkqCache'
import type { BuildRouterHandler, RouterContext } from './routerContext'
import { createRoutedConfirmations } from './routedConfirmations'
import type { RoutedTag } from './routeEvents'
import type { FullTag } from './tags'

/** A catch-up ends at the latest this long after its join, settled or not (an entry RTK Query dropped never settles). */
export const CATCH_UP_BOUND_MS = 30_000

interface CatchUp {
  /** The join it repairs (the channel's `joinedAt`). */
  joinedAt: number
  /** Reads started from then on refresh an entry: the join, or the fallback of a replay decided complete too early. */
  from: number
  /** Entries covered by the topic's tags whose data predates the join and that no read since the join refreshed yet. */
  waiting: Set<string>
  cancelBound(): void
}

/**
 * Reports sent after the dispatch that caused them (a microtask later, batched into one
 * confirmation): a report dispatched inside RTK Query's fulfilled action would notify subscribers
 * before the placeholder tracker puts its placeholders back into the refetched list.
 */
function deferredReports(ctx: RouterContext, covered: (state: unknown, tags: FullTag[]) => string[]) {
  const { actions, env, api } = ctx.deps
  const confirmations = createRoutedConfirmations(api, covered)
  const settled: Array<{ topic: string; joinedAt: number }> = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    const keys = confirmations.take()
    if (keys.length > 0) ctx.dispatch(actions.queriesConfirmed({ queryCacheKeys: keys, at: env.clock.now() }))
    for (const payload of settled.splice(0)) ctx.dispatch(actions.catchUpSettled(payload))
  }
  const later = () => {
    if (scheduled) return
    scheduled = true
    queueMicrotask(flush)
  }
  return {
    /** These queries' data is known equal to the server now. */
    confirm(keys: readonly string[]): void {
      confirmations.confirm(keys)
      if (keys.length > 0) later()
    },
    /** Events were routed to these tags in `state`: the queries they cover are confirmed. */
    routed(state: unknown, tags: ReadonlyMap<string, RoutedTag>): void {
      confirmations.add(state, tags)
      if (tags.size > 0) later()
    },
    settled(topic: string, joinedAt: number): void {
      settled.push({ topic, joinedAt })
      later()
    },
    clear(): void {
      confirmations.clear()
      settled.length = 0
    },
  }
}

/**
 * What per-query freshness needs from the router: when each query was last confirmed equal to the
 * server (a fulfilled fetch, or an event routed to its tags), and which topics are catching up
 * after a join (their covered entries that predate the join not yet refetched), on the injected
 * clock. A join whose replay is decided complete is caught up then (nothing is refetched); a
 * replay that falls back waits for the refetch, opening the catch-up again if it was settled. The freshness selectors read the result from the slice.
 * @internal
 */
export const buildFreshnessHandler: BuildRouterHandler = (listener, ctx) => {
  const { api, actions, selectors, env, logger } = ctx.deps
  const catchUps = new Map<string, CatchUp>()
  const covered = (state: unknown, tags: FullTag[]): string[] =>
    coveredEntries(api, state, tags, (error) =>
      logger.once('freshness-select-failed', 'warn', 'could not look up the queries behind a freshness change', {
        error: String(error),
      }),
    )

  const reports = deferredReports(ctx, covered)

  const settle = (topic: string, catchUp: CatchUp) => {
    catchUp.cancelBound()
    if (catchUps.get(topic) === catchUp) catchUps.delete(topic)
    reports.settled(topic, catchUp.joinedAt)
  }

  /** Opens a catch-up of `topic`'s join over the covered entries whose data predates `from`, if any. */
  const begin = (topic: string, from: number, state: unknown) => {
    const channel = selectors.selectChannel(topic)(state)
    const waiting = new Set(
      covered(state, ctx.deps.topicTags(topic)).filter((key) => {
        const entry = cachedEntry(state, api, key)
        return entry !== undefined && entry.status !== 'uninitialized'
      }),
    )
    if (!channel || waiting.size === 0) return
    const joinedAt = channel.joinedAt ?? from
    const since = joinedAt - (channel.gapMs ?? 0)
    const timer = env.clock.setTimeout(() => settle(topic, catchUp), CATCH_UP_BOUND_MS)
    const catchUp: CatchUp = { joinedAt, from, waiting, cancelBound: () => env.clock.clearTimeout(timer) }
    catchUps.set(topic, catchUp)
    ctx.dispatch(actions.catchUpStarted({ topic, joinedAt, since }))
  }

  listener.startListening({
    actionCreator: actions.channelSubscribed,
    effect: (action, listenerApi) => {
      const { topic, at } = action.payload
      const previous = catchUps.get(topic)
      if (previous) settle(topic, previous)
      begin(topic, at, listenerApi.getState())
    },
  })

  // A replay decided complete repaired the gap itself: nothing is refetched, so nothing is waited on.
  listener.startListening({
    actionCreator: actions.catchUpReplayed,
    effect: (action) => {
      const catchUp = catchUps.get(action.payload.topic)
      if (catchUp) settle(action.payload.topic, catchUp)
    },
  })

  // A fallback refetches the topic: a catch-up still open waits for that; one a completion settled opens again.
  listener.startListening({
    actionCreator: actions.catchUpReplayFellBack,
    effect: (action, listenerApi) => {
      const { topic, at } = action.payload
      if (!catchUps.has(topic)) begin(topic, at, listenerApi.getState())
    },
  })

  // Routed events confirm the queries their tags cover (looked up once per run of events over the same cache).
  ctx.routed.add((tags) => {
    const state = ctx.getState()
    if (state !== undefined) reports.routed(state, tags)
  })

  // For the router's whole life, as its listeners are: a stop() and start() again keep it.
  ctx.reads.onSettled(({ read, state }) => {
    const entry = cachedEntry(state, api, read.queryCacheKey)
    if (entry?.status === 'fulfilled' && entry.requestId === read.requestId) reports.confirm([read.queryCacheKey])
    for (const [topic, catchUp] of [...catchUps]) {
      if (read.startedAt >= catchUp.from) catchUp.waiting.delete(read.queryCacheKey)
      // An entry RTK Query removed meanwhile will not be refetched.
      for (const key of catchUp.waiting) if (cachedEntry(state, api, key) === undefined) catchUp.waiting.delete(key)
      if (catchUp.waiting.size === 0) settle(topic, catchUp)
    }
  })

  return {
    stop(): void {
      for (const catchUp of catchUps.values()) catchUp.cancelBound()
      catchUps.clear()
      reports.clear()
    },
  }
}
