import { thrownKind } from '../env/logger'
import type { RealtimeEvent } from '../events/events'
import type { RouterReport } from '../slice/realtimeSlice'
import { emptyReport } from './reportBuffer'
import { PatchApplier } from './patchApplier'
import { patchCounts } from './patchTally'
import { addRouteTags, routeEvents } from './routeEvents'
import type { BuildRouterHandler } from './routerContext'
import { hearBatch } from './silentDetector'

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
    const report: RouterReport = patched ? { ...emptyReport(), ...patchCounts(patched) } : emptyReport()
    report.routed = batch.routed
    report.unmatched = batch.unmatched
    report.malformed = batch.malformed
    report.errors = batch.errors
    const offered = [...batch.tags].map(([key, { tag, eventAt }]) => ({ key, tag, eventAt }))
    issuer.offer(offered, report)
    issuer.flush(report)
    hearBatch(ctx, batch)
    if (ctx.routed.size > 0) {
      const tags = offered.map((entry) => entry.tag)
      for (const routed of ctx.routed) routed(tags)
    }
  }
  return {
    afterAction: (action) => {
      if (!deps.actions.eventsReceived.match(action)) return
      try {
        route(action.payload.events)
      } catch (error) {
        // A surprise in routing must not reach the dispatcher (the batch saga) nor stop the events behind it.
        deps.logger.once('route-batch-threw', 'error', 'routing a batch of events failed; the batch was skipped', {
          error: thrownKind(error),
        })
      }
    },
    stop: () => patcher.clear(),
  }
}
