import type { SagaIterator } from 'redux-saga'
import { call, race, take } from 'redux-saga/effects'
import type { CoreContext } from './context'
import { sleep } from './effects'

/**
 * What lets a refused channel try again: a new session, `recover()`, the kill switch being turned
 * back on (`enable()` starts over), or the slow retry of a `failed` connection starting.
 *
 * @internal
 */
export function retryRefusedOn(actions: CoreContext['actions']): string[] {
  return [actions.sessionChanged.type, actions.recover.type, actions.enable.type, actions.failedRetryStarted.type]
}

/**
 * Waits until a refused channel (a private topic without a session, or refused after a token
 * refresh) should ask again: any of {@link retryRefusedOn}, or `delayMs` (the slow 30–60 s
 * cadence: a token can become valid without an event, through clock skew or third-party auth).
 *
 * @internal
 */
export function* waitForRefusalRetry(ctx: CoreContext, delayMs: number | null): SagaIterator<void> {
  if (delayMs === null) {
    yield take(retryRefusedOn(ctx.actions))
    return
  }
  yield race({ event: take(retryRefusedOn(ctx.actions)), due: call(sleep, ctx.env.clock, delayMs) })
}
