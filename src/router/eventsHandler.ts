import type { RouterReport } from '../slice/realtimeSlice'
import { emptyReport } from './invalidationIssuer'
import { PatchApplier } from './patchApplier'
import { patchCounts } from './patchTally'
import { addRouteTags, routeEvents } from './routeEvents'
import type { BuildRouterHandler } from './routerContext'

/**
 * Routes each `eventsReceived` batch: events become tags through the routes; patch routes write
 * their rows straight into cached lists, and what cannot be patched exactly adds its fallback
 * tags; the tags go through the per-tag throttle. One report per batch.
 * @internal
 */
export const buildEventsHandler: BuildRouterHandler = (listener, ctx) => {
  const { deps, issuer } = ctx
  const patcher = new PatchApplier(deps.api, deps.logger)
  const store = { getState: ctx.getState, dispatch: ctx.dispatch }
  listener.startListening({
    actionCreator: deps.actions.eventsReceived,
    effect: (action) => {
      const batch = routeEvents(action.payload.events, deps.routes, deps.logger)
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
      const tags = offered.map((entry) => entry.tag)
      for (const routed of ctx.routed) routed(tags)
    },
  })
  return { stop: () => patcher.clear() }
}
