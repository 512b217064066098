import type { UnknownAction } from '@reduxjs/toolkit'
import type { Clock } from '../env/clock'
import type { Logger } from '../env/logger'
import type { RtkqApi } from '../rtkq/rtkqApi'
import type { RealtimeActions, RouterReport } from '../slice/realtimeSlice'
import type { FreshReads } from './freshReads'
import type { RefetchTracker } from './refetchTracker'
import { createReportBuffer, emptyReport } from './reportBuffer'
import { TagThrottle, type ThrottledTag } from './tagThrottle'
import { tagKey, type FullTag } from './tags'

/** Tags per `invalidateTags` action at most. */
const MAX_TAGS_PER_INVALIDATION = 10_000

/** Polls, kicks and catch-ups: no event is behind them, so they carry no event latency. */
function asSynthetic(tags: FullTag[], at: number): ThrottledTag[] {
  return tags.map((tag) => ({ key: tagKey(tag), tag, eventAt: at, synthetic: true }))
}

export interface IssuerDeps {
  api: RtkqApi
  clock: Clock
  logger: Logger
  actions: RealtimeActions
  throttleMs: number
  reads: FreshReads
  latency: RefetchTracker
  getState(): unknown
  dispatch(action: UnknownAction): unknown
}

/**
 * The one way the router invalidates: tags go through the per-tag throttle, then out as RTK
 * Query `invalidateTags` actions (chunked under the argument limit), with the entries they cover
 * noted for the latency tracker and the held-invalidation bound. The passes of one turn of the
 * event loop report to the slice in one `routerReported` action (on a microtask).
 * @internal
 */
export function createInvalidationIssuer(deps: IssuerDeps) {
  const { api, clock, logger, reads, latency } = deps

  const issue = (due: ThrottledTag[], report: RouterReport) => {
    // Nothing to invalidate, or no store yet (the middleware is not installed).
    if (due.length === 0 || deps.getState() === undefined) return
    const now = clock.now()
    const tags = due.map((entry) => entry.tag)
    let covered: string[] = []
    // A loop, not Math.min(...): a spread of a huge burst's tags overflows the argument limit (65,536 in Safari).
    let earliest = Number.POSITIVE_INFINITY
    for (const entry of due) if (!entry.synthetic && entry.eventAt < earliest) earliest = entry.eventAt
    try {
      const state = deps.getState()
      const keys = api.util.selectInvalidatedBy(state as never, tags).map((entry) => entry.queryCacheKey)
      if (earliest !== Number.POSITIVE_INFINITY) latency.invalidated(keys, earliest)
      reads.refetches.invalidating(state, keys)
      covered = keys
    } catch (error) {
      logger.once('select-invalidated-failed', 'warn', 'could not look up the queries behind an invalidation', {
        error: String(error),
      })
    }
    // Whether RTK Query holds it is decided by the requests pending before it (not the refetches it starts).
    const heldBehind = reads.pending.any()
    // RTK Query spreads the tags of one invalidateTags into a push(): keep each action under the argument limit.
    reads.asRouter(() => {
      for (let start = 0; start < tags.length; start += MAX_TAGS_PER_INVALIDATION) {
        deps.dispatch(api.util.invalidateTags(tags.slice(start, start + MAX_TAGS_PER_INVALIDATION)))
      }
    })
    if (heldBehind) reads.invalidated(deps.getState(), covered)
    report.issued += due.length
    for (const entry of due) if (!entry.synthetic) report.eventToInvalidationMs.push(Math.max(0, now - entry.eventAt))
  }

  const reports = createReportBuffer((report) => deps.dispatch(deps.actions.routerReported(report)))
  const flush = (report: RouterReport) => reports.add(report)

  const throttle = new TagThrottle(clock, deps.throttleMs, (due) => {
    const report = emptyReport()
    issue(due, report)
    flush(report)
  })

  /** Offers tags to the throttle and issues what is due now; counts go into `report`. */
  const offer = (entries: Iterable<ThrottledTag>, report: RouterReport): void => {
    const offered = throttle.offer(entries)
    report.coalesced += offered.coalesced
    issue(offered.now, report)
  }

  return {
    offer,
    /** Invalidates tags now (through the throttle), for polls, kicks and catch-up. */
    invalidate(tags: FullTag[]): void {
      if (tags.length === 0) return
      const report = emptyReport()
      offer(asSynthetic(tags, clock.now()), report)
      flush(report)
    },
    /** Adds a pass's report to the one the slice gets on the next microtask (unless it stays empty). */
    flush,
    /** The report the slice gets on the next microtask, to count into in place. */
    report: reports.current,
    clear(): void {
      reports.flush()
      throttle.clear()
    },
  }
}

/** @internal */
export type InvalidationIssuer = ReturnType<typeof createInvalidationIssuer>
