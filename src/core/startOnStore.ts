import type { UnknownAction } from '@reduxjs/toolkit'
import type { SagaMiddleware, Task } from 'redux-saga'
import type { Clock } from '../env/clock'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import type { createSagaRunner } from './sagaRunner'
import type { StoreBinding } from './storeBinding'
import type { wireRouting } from './wireRouting'

/** A store the realtime middleware was added to. */
export interface RealtimeStore {
  dispatch(action: UnknownAction): unknown
  getState(): unknown
}

/** What `start` runs. @internal */
export interface StartParts {
  binding: StoreBinding
  sagaMiddleware: SagaMiddleware
  runner: ReturnType<typeof createSagaRunner>
  routing: ReturnType<typeof wireRouting>
  selectors: RealtimeSelectors
  actions: Pick<RealtimeActions, 'realtimeStopped'>
  clock: Clock
}

/**
 * `realtime.start(store)`: checks the store carries the middleware and the slice, runs the root
 * saga, starts polling and cross-tab, and returns `stop()`.
 * @internal
 */
export function createStart(parts: StartParts) {
  const { binding, sagaMiddleware, runner, routing, selectors, actions, clock } = parts
  return (store: RealtimeStore): (() => void) => {
    if (!binding.dispatch) {
      throw new Error('[RealtimeCore] start(store): realtime.middleware is not in this store; add it in configureStore')
    }
    if (typeof store?.getState !== 'function')
      throw new TypeError('[RealtimeCore] start(store): store must be a Redux store')
    selectors.selectRealtimeState(store.getState())
    if (runner.running())
      throw new Error('[RealtimeCore] start(store): already started; call the stop() it returned first')
    const task: Task = sagaMiddleware.run(runner.saga)
    routing.router?.start()
    routing.crossTab.start()
    return () => {
      // The saga first: its batch's last flush must go through a router that still routes (and
      // whose stop then clears what that flush scheduled), never one already stopped.
      if (task.isRunning()) task.cancel()
      // Nothing runs any more: the slice says so (idle, channels closed), so nothing reads as live.
      store.dispatch(actions.realtimeStopped({ at: clock.now() }))
      routing.router?.stop()
      routing.crossTab.stop()
    }
  }
}
