import type { SagaIterator } from 'redux-saga'
import { all, call } from 'redux-saga/effects'
import { authSaga } from './authSaga'
import { batchSaga } from './batchSaga'
import { connectionSaga } from './connectionSaga'
import type { CoreContext } from './context'
import { environmentSaga } from './environmentSaga'
import { registrySaga } from './registrySaga'
import { supervise } from './supervise'
import { tokenRefreshSaga } from './tokenRefreshSaga'

/** Every long-lived saga of one realtime instance. Cancelling it tears everything down. */
export function* rootSaga(ctx: CoreContext): SagaIterator<void> {
  yield all([
    call(supervise, ctx, 'environment saga', environmentSaga),
    call(supervise, ctx, 'auth saga', authSaga),
    call(supervise, ctx, 'batch saga', batchSaga),
    call(supervise, ctx, 'connection saga', connectionSaga),
    call(supervise, ctx, 'registry saga', registrySaga),
    call(supervise, ctx, 'token refresh saga', tokenRefreshSaga),
  ])
}
