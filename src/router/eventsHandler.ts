import { thrownKind } from '../env/logger'
import type { RealtimeEvent } from '../events/events'
import type { RouterReport } from '../slice/realtimeSlice'
import { emptyReport } from './reportBuffer'
import { PatchApplier } from './patchApplier'
import { patchCounts } from './patchTally'
import { addRouteTags, routeEvents, type RoutedBatch } from './routeEvents'
import type { BuildRouterHandler } from './routerContext'
import { hearBatch } from './silentDetector'

/** The distinct topics of a batch's events (anything that is not an event has none). */
function topicsOf(events: unknown): string[] {
  const topics = new Set<string>()
  if (!Array.isArray(events)) return []
  for (const event of events) {
    const topic = typeof event === 'object' && event !== null ? (event as { topic?: unknown }).topic : undefined
    if (typeof topic === 'string') topics.add(topic)
  }
  return [...topics]
}

/** Adds a routed batch's counts to the turn's report. */
function countInto(report: RouterReport, batch: RoutedBatch): void {
  report.routed += batch.routed
  report.unmatched += batch.unmatched
  report.malformed += batch.malformed
  for (const [kind, count] of Object.entries(batch.errors)) report.errors[kind] = (report.errors[kind] ?? 0) + count
}

/**
 * Routes each `eventsReceived` batch: events become tags through the routes; patch routes write
 * their rows straight into cached lists, and what cannot be patched exactly adds its fallback
 * tags; the tags go through the per-tag throttle. It runs on the router's hot path (`afterAction`),
 * not as a listener. One report per batch, sent to the slice with the others of its turn.
 * @internal
 */
export const buildEventsHandler: BuildRouterHandler = (_listener, ctx) => {
  const { deps, issuer } = ctx
  const patcher = new PatchApplier(deps.api, deps.logger)
  const store = { getState: ctx.getState, dispatch: ctx.dispatch }
  const route = (events: RealtimeEvent[]) => {
    const batch = routeEvents(events, deps.routes, deps.logger)
    const patched = batch.patches.length > 0 ? patcher.apply(batch.patches, store, batch.errors) : null
    for (const job of patched?.fallbacks ?? [])
      addRouteTags(batch, job.fallbackTags, job.event, deps.logger, job.routeName)
    if (patched) issuer.flush({ ...emptyReport(), ...patchCounts(patched) })
    // Counted straight into the turn's report: nothing is allocated per pass for it.
    const report = issuer.report()
    countInto(report, batch)
    issuer.offer(batch.tags.values(), report)
    hearBatch(ctx, batch)
    for (const routed of ctx.routed) routed(batch.tags)
  }
  /**
   * A batch whose routing threw is counted (ROUTE_BATCH_THREW), and the subscription tags of its
   * topics are invalidated: what it would have patched or invalidated is refetched, not lost.
   */
  const fallBack = (events: unknown) => {
    issuer.flush({ ...emptyReport(), errors: { ROUTE_BATCH_THREW: 1 } })
    try {
      const tags = topicsOf(events).flatMap((topic) => deps.topicTags(topic))
      if (tags.length > 0) issuer.invalidate(tags)
    } catch (error) {
      deps.logger.once('route-batch-fallback-threw', 'error', 'refetching the topics of a failed batch failed', {
        error: thrownKind(error),
      })
    }
  }
  return {
    afterAction: (action) => {
      if (!deps.actions.eventsReceived.match(action)) return
      try {
        route(action.payload.events)
      } catch (error) {
        // A surprise in routing must not reach the dispatcher (the batch saga) nor stop the events behind it.
        deps.logger.once(
          'route-batch-threw',
          'error',
          'routing a batch of events failed; its topics are refetched instead',
          { error: thrownKind(error) },
        )
        fallBack(action.payload.events)
      }
    },
    stop: () => patcher.clear(),
  }
}
