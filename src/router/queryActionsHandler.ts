import type { UnknownAction } from '@reduxjs/toolkit'
import { rtkqMatchers } from '../rtkq/rtkqActions'
import { emptyReport } from './reportBuffer'
import type { BuildRouterHandler } from './routerContext'

/**
 * Feeds RTK Query's own thunk actions (and `resetApiState`) to the reads in flight and to the
 * event→refetch latency tracker, which reports a sample when a refetch an event caused fulfils.
 * @internal
 */
export const buildQueryActionsHandler: BuildRouterHandler = (listener, { deps, reads, latency, issuer }) => {
  const matchers = rtkqMatchers(deps.api.reducerPath)
  listener.startListening({
    predicate: (action) => matchers.phaseOf(action) !== null || matchers.isApiReset(action),
    effect: (action, listenerApi) => {
      reads.observe(action as UnknownAction, listenerApi.getState())
      const sample = latency.observe(action as UnknownAction & { meta?: never })
      if (sample === null) return
      const report = emptyReport()
      report.eventToRefetchMs.push(sample)
      report.at = deps.env.clock.now()
      issuer.flush(report)
    },
  })
}
