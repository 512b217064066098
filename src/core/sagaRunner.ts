import type { SagaIterator } from 'redux-saga'
import { call } from 'redux-saga/effects'
import type { CoreContext } from '../sagas/context'
import { rootSaga } from '../sagas/rootSaga'

/** The root saga of one instance, which refuses to run twice at once. */
export interface SagaRunner {
  saga: () => SagaIterator<void>
  running(): boolean
}

/**
 * Wraps the root saga so that one instance runs it once at a time.
 * @internal
 */
export function createSagaRunner(ctx: CoreContext): SagaRunner {
  let running = false
  function* saga(): SagaIterator<void> {
    if (running) throw new Error('[RealtimeCore] the realtime saga is already running: start it once per instance')
    running = true
    try {
      yield call(rootSaga, ctx)
    } finally {
      running = false
    }
  }
  return { saga, running: () => running }
}
