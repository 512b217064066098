import { buffers, eventChannel, type SagaIterator } from 'redux-saga'
import { put, take } from 'redux-saga/effects'
import type { AuthChangeEvent } from '../events/port'
import type { CoreContext } from './context'

/**
 * Reports session changes. A new session or token is what retries a private subscription
 * refused for lack of a session, and what lifts a `failed` connection.
 */
export function* authSaga(ctx: CoreContext): SagaIterator<void> {
  const changes = eventChannel<AuthChangeEvent>((emit) => ctx.transport.watchAuth(emit), buffers.sliding(8))
  try {
    for (;;) {
      const event = (yield take(changes)) as AuthChangeEvent
      if (event === 'OTHER') continue
      ctx.logger.debug(`auth state changed: ${event}`)
      yield put(ctx.actions.sessionChanged({ at: ctx.env.clock.now() }))
    }
  } finally {
    changes.close()
  }
}
