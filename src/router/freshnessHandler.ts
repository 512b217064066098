import { cachedEntry } from '../rtkq/rtkqCache'
import type { BuildRouterHandler, RouterContext } from './routerContext'
import type { FullTag } from './tags'

/** A catch-up ends at the latest this long after its join, settled or not (an entry RTK Query dropped never settles). */
export const CATCH_UP_BOUND_MS = 30_000

interface CatchUp {
  joinedAt: number
  /** Entries covered by the topic's tags whose data predates the join and that no read since the join refreshed yet. */
  waiting: Set<string>
  cancelBound(): void
}

/**
 * Reports sent after the dispatch that caused them (a microtask later, batched into one
 * confirmation): a report dispatched inside RTK Query's fulfilled action would notify subscribers
 * before the placeholder tracker puts its placeholders back into the refetched list.
 */
function deferredReports(ctx: RouterContext) {
  const { actions, env } = ctx.deps
  const confirmed = new Set<string>()
  const settled: Array<{ topic: string; joinedAt: number }> = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    const keys = [...confirmed]
    confirmed.clear()
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
      for (const key of keys) confirmed.add(key)
      if (keys.length > 0) later()
    },
    settled(topic: string, joinedAt: number): void {
      settled.push({ topic, joinedAt })
      later()
    },
    clear(): void {
      confirmed.clear()
      settled.length = 0
    },
  }
}

/**
 * What per-query freshness needs from the router: when each query was last confirmed equal to the
 * server (a fulfilled fetch, or an event routed to its tags), and which topics are catching up
 * after a join (their covered entries that predate the join not yet refetched), on the injected
 * clock. The freshness selectors read the result from the slice.
 * @internal
 */
export const buildFreshnessHandler: BuildRouterHandler = (listener, ctx) => {
  const { api, actions, selectors, env, logger } = ctx.deps
  const catchUps = new Map<string, CatchUp>()
  const reports = deferredReports(ctx)

  const covered = (state: unknown, tags: FullTag[]): string[] => {
    try {
      return api.util.selectInvalidatedBy(state as never, tags).map((entry) => entry.queryCacheKey)
    } catch (error) {
      logger.once('freshness-select-failed', 'warn', 'could not look up the queries behind a freshness change', {
        error: String(error),
      })
      return []
    }
  }

  const settle = (topic: string, catchUp: CatchUp) => {
    catchUp.cancelBound()
    if (catchUps.get(topic) === catchUp) catchUps.delete(topic)
    reports.settled(topic, catchUp.joinedAt)
  }

  listener.startListening({
    actionCreator: actions.channelSubscribed,
    effect: (action, listenerApi) => {
      const { topic, at } = action.payload
      const previous = catchUps.get(topic)
      if (previous) settle(topic, previous)
      const state = listenerApi.getState()
      const channel = selectors.selectChannel(topic)(state)
      const waiting = new Set(
        covered(state, ctx.deps.topicTags(topic)).filter((key) => {
          const entry = cachedEntry(state, api, key)
          return entry !== undefined && entry.status !== 'uninitialized'
        }),
      )
      if (!channel || waiting.size === 0) return
      const since = channel.gapMs === null ? at : at - channel.gapMs
      const timer = env.clock.setTimeout(() => settle(topic, catchUp), CATCH_UP_BOUND_MS)
      const catchUp: CatchUp = { joinedAt: at, waiting, cancelBound: () => env.clock.clearTimeout(timer) }
      catchUps.set(topic, catchUp)
      ctx.dispatch(actions.catchUpStarted({ topic, joinedAt: at, since }))
    },
  })

  // Routed events confirm the queries their tags cover.
  ctx.routed.add((tags) => {
    const state = ctx.getState()
    if (state === undefined || tags.length === 0) return
    reports.confirm(covered(state, tags))
  })

  // For the router's whole life, as its listeners are: a stop() and start() again keep it.
  ctx.reads.onSettled(({ read, state }) => {
    const entry = cachedEntry(state, api, read.queryCacheKey)
    if (entry?.status === 'fulfilled' && entry.requestId === read.requestId) reports.confirm([read.queryCacheKey])
    for (const [topic, catchUp] of [...catchUps]) {
      if (read.startedAt >= catchUp.joinedAt) catchUp.waiting.delete(read.queryCacheKey)
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
