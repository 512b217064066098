import type { SagaIterator } from 'redux-saga'
import { call, put, take } from 'redux-saga/effects'
import type { CoreContext } from './context'
import { sleep } from './effects'

/**
 * Collects events for one batch window (~16 ms, a frame) and dispatches them as one
 * `eventsReceived` action, so a burst costs one store update and one router pass per frame.
 */
export function* batchSaga(ctx: CoreContext): SagaIterator<void> {
  try {
    for (;;) {
      yield take(ctx.batchSignal)
      yield call(sleep, ctx.env.clock, ctx.timing.batchMs)
      yield call(flush, ctx)
    }
  } finally {
    // Stopping must not lose what already arrived.
    yield call(flush, ctx)
  }
}

function* flush(ctx: CoreContext): SagaIterator<void> {
  const events = ctx.registry.pendingEvents.splice(0)
  if (events.length > 0) yield put(ctx.actions.eventsReceived({ events, at: ctx.env.clock.now() }))
}
