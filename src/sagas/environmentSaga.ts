import { buffers, eventChannel, type SagaIterator } from 'redux-saga'
import { put, select, take } from 'redux-saga/effects'
import type { SignalSource } from '../env/signal'
import type { CoreContext } from './context'

type Change = { kind: 'visible' | 'online'; value: boolean }

function signalChanges(visibility: SignalSource, online: SignalSource) {
  return eventChannel<Change>((emit) => {
    const stopVisibility = visibility.subscribe((value) => emit({ kind: 'visible', value }))
    const stopOnline = online.subscribe((value) => emit({ kind: 'online', value }))
    return () => {
      stopVisibility()
      stopOnline()
    }
  }, buffers.sliding(8))
}

/** Mirrors page visibility and network reachability into the slice. */
export function* environmentSaga(ctx: CoreContext): SagaIterator<void> {
  const { actions, env, selectors } = ctx
  const changes = signalChanges(env.visibility, env.online)
  try {
    const state = (yield select(selectors.selectRealtimeState)) as { visible: boolean; online: boolean }
    if (state.visible !== env.visibility.current()) yield put(actions.setVisibility(env.visibility.current()))
    if (state.online !== env.online.current()) yield put(actions.setOnline(env.online.current()))
    for (;;) {
      const change = (yield take(changes)) as Change
      yield put(change.kind === 'visible' ? actions.setVisibility(change.value) : actions.setOnline(change.value))
    }
  } finally {
    changes.close()
  }
}
