import type { SagaIterator } from 'redux-saga'
import { call, put, take } from 'redux-saga/effects'
import type { CoreContext } from './context'
import { sleep } from './effects'

/**
 * Batches events per frame (~16 ms) without making the first one wait: an event that arrives
 * while no batch is open goes out at once, in the same turn, as its own `eventsReceived`, and
 * opens a batch window. What arrives within the window goes out as one `eventsReceived` when it
 * ends, and opens the next window; a window that ends empty closes the batch, so the next event
 * after a quiet frame is again delivered at once. A burst still costs one store update and one
 * router pass per frame; the event the user is waiting for costs no batch delay.
 */
export function* batchSaga(ctx: CoreContext): SagaIterator<void> {
  const { registry } = ctx
  try {
    for (;;) {
      if (registry.pendingEvents.length === 0) yield take(ctx.batchSignal)
      registry.batchOpen = true
      let flushed = (yield call(flush, ctx)) as boolean
      while (flushed) {
        yield call(sleep, ctx.env.clock, ctx.timing.batchMs)
        flushed = (yield call(flush, ctx)) as boolean
      }
      registry.batchOpen = false
    }
  } finally {
    registry.batchOpen = false
    // Stopping must not lose what already arrived.
    yield call(flush, ctx)
  }
}

function* flush(ctx: CoreContext): SagaIterator<boolean> {
  const events = ctx.registry.pendingEvents.splice(0)
  if (events.length === 0) return false
  yield put(ctx.actions.eventsReceived({ events, at: ctx.env.clock.now() }))
  return true
}
