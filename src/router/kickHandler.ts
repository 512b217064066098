import { isAnyOf } from '@reduxjs/toolkit'
import type { BuildRouterHandler } from './routerContext'
import { expectPolledRefetches } from './silentDetector'

/** Focus and online kicks are throttled to one per this window. */
export const KICK_THROTTLE_MS = 5_000

/**
 * The focus/online kick: when the page becomes visible or the browser comes back online, one
 * invalidation of the active subscriptions' tags, at most one per {@link KICK_THROTTLE_MS}.
 * @internal
 */
export const buildKickHandler: BuildRouterHandler = (listener, ctx) => {
  const { deps, issuer } = ctx
  const { actions, selectors, env } = deps
  let lastKickAt = Number.NEGATIVE_INFINITY
  listener.startListening({
    matcher: isAnyOf(actions.setVisibility, actions.setOnline),
    effect: (action, api) => {
      const before = selectors.selectRealtimeState(api.getOriginalState())
      const cameBack = actions.setVisibility.match(action)
        ? action.payload && !before.visible
        : (action as unknown as { payload: boolean }).payload && !before.online
      const now = env.clock.now()
      if (!cameBack || now - lastKickAt < KICK_THROTTLE_MS) return
      lastKickAt = now
      const tags = deps.activeTags()
      expectPolledRefetches(ctx, tags)
      issuer.invalidate(tags)
    },
  })
}
