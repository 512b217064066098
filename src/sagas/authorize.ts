import type { SagaIterator } from 'redux-saga'
import { call, put, race } from 'redux-saga/effects'
import { thrownKind } from '../env/logger'
import { RealtimeError } from '../errors/realtimeError'
import type { AuthSnapshot } from '../events/port'
import type { CoreContext } from './context'
import { settle, sleep, type Settled } from './effects'

const timeOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null

function isAuthSnapshot(value: unknown): value is AuthSnapshot {
  return typeof value === 'object' && value !== null && typeof (value as { signedIn?: unknown }).signedIn === 'boolean'
}

/**
 * Asks the transport for a fresh token (and hands it to realtime), waiting at most the join
 * timeout: a token source that throws, hangs or answers with garbage costs a logged (once per
 * kind) and counted failure, never a saga stuck forever. The caller backs off and asks again.
 *
 * @internal
 */
export function* authorizeWithin(
  ctx: CoreContext,
  forceRefresh: boolean,
  topic?: string,
): SagaIterator<Settled<AuthSnapshot>> {
  const { transport, env, timing, logger, actions } = ctx
  const result = (yield race({
    settled: call(settle, () => transport.authorize({ forceRefresh })),
    timeout: call(sleep, env.clock, timing.joinTimeoutMs),
  })) as { settled?: Settled<unknown>; timeout?: true }
  let failure: { reason: string; error: RealtimeError } | null = null
  if (!result.settled) {
    failure = {
      reason: 'hung',
      error: new RealtimeError('TIMEOUT', `the access token source did not answer within ${timing.joinTimeoutMs} ms`, {
        context: { topic },
      }),
    }
  } else if (!result.settled.ok) {
    const cause = result.settled.error
    const error =
      cause instanceof RealtimeError
        ? cause
        : new RealtimeError('AUTHENTICATION_FAILED', 'the access token source failed', {
            retryable: true,
            context: { topic },
            cause,
          })
    failure = { reason: `threw:${thrownKind(cause)}`, error }
  } else if (!isAuthSnapshot(result.settled.value)) {
    failure = {
      reason: 'garbage',
      error: new RealtimeError('AUTHENTICATION_FAILED', 'authorize() answered without an auth snapshot', {
        retryable: true,
        context: { topic },
      }),
    }
  }
  if (failure === null) {
    const snapshot = (result.settled as { ok: true; value: AuthSnapshot }).value
    yield put(
      actions.accessTokenAuthorized({
        expiresAt: timeOrNull(snapshot.expiresAt),
        issuedAt: timeOrNull(snapshot.issuedAt),
        at: env.clock.now(),
      }),
    )
    return result.settled as Settled<AuthSnapshot>
  }
  logger.once(
    `token-source:${failure.reason}`,
    'warn',
    `could not get an access token: ${failure.error.message}`,
    topic === undefined ? {} : { topic },
  )
  yield put(actions.tokenSourceFailed({ reason: failure.reason, at: env.clock.now() }))
  return { ok: false, error: failure.error }
}
