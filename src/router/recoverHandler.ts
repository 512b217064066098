import type { BuildRouterHandler } from './routerContext'

/** "Recover now": every active subscription's tags are invalidated at once (the rejoins follow). @internal */
export const buildRecoverHandler: BuildRouterHandler = (listener, { deps, issuer }) => {
  listener.startListening({
    actionCreator: deps.actions.recover,
    effect: () => issuer.invalidate(deps.activeTags()),
  })
}
