import type { Middleware, UnknownAction } from '@reduxjs/toolkit'
import type { SagaMiddleware } from 'redux-saga'

/** The dispatch of the store the realtime middleware was added to; null until it is added. */
export interface StoreBinding {
  dispatch: ((action: UnknownAction) => unknown) | null
}

/** A middleware part of one realtime instance (the router's, the cross-tab manager's). */
interface MiddlewarePart {
  middleware: Middleware
}

/**
 * The realtime middleware: binds the store's dispatch, then runs an action through the cross-tab
 * manager, the router (when there is an api) and the saga middleware, in that order.
 * @internal
 */
export function realtimeMiddleware(
  binding: StoreBinding,
  sagaMiddleware: SagaMiddleware,
  router: MiddlewarePart | null,
  crossTab: MiddlewarePart,
): Middleware {
  return (api) => {
    binding.dispatch = api.dispatch
    const withSaga = sagaMiddleware(api)
    const withRouter = router ? router.middleware(api) : (next: (action: unknown) => unknown) => next
    const withCrossTab = crossTab.middleware(api)
    return (next) => withCrossTab(withRouter(withSaga(next)))
  }
}
