import type { BuildRouterHandler } from './routerContext'

/**
 * Replay catch-up that cannot stand in for a refetch (DESIGN §3.6): a rejoin's replay reached
 * its limit, so messages may be missing; the topic's subscription tags are invalidated, as
 * after any gap. (A refused replay needs nothing here: the next join goes without one, and
 * `joinCatchUp` invalidates then.)
 * @internal
 */
export const buildReplayFallbackHandler: BuildRouterHandler = (listener, ctx) => {
  listener.startListening({
    actionCreator: ctx.deps.actions.catchUpReplayFellBack,
    effect: (action) => {
      const tags = ctx.deps.topicTags(action.payload.topic)
      if (tags.length > 0) ctx.issuer.invalidate(tags)
    },
  })
}
