import type { SagaIterator } from 'redux-saga'
import { call, put, race, take } from 'redux-saga/effects'
import { serializeRealtimeError, type RealtimeError, type ServerRefusal } from '../errors/realtimeError'
import { rateLimitDelay } from '../policy/capacity'
import type { CoreContext } from './context'
import { sleep } from './effects'

/** The refusals this file recovers from (`'unauthorized'` takes the auth path). */
export function isRecoverableRefusal(error: RealtimeError): error is RealtimeError & {
  serverError: Exclude<ServerRefusal, 'unauthorized'>
} {
  return error.serverError !== null && error.serverError !== 'unauthorized'
}

/**
 * One topic's refusals in a row. A join does not end the streak (the server closes a channel for
 * its message rate after it joined); `recover()` does, and so does a channel that stays up
 * longer than the last wait.
 */
export interface RefusalStreak {
  count: number
  lastDelayMs: number
}

export function newRefusalStreak(): RefusalStreak {
  return { count: 0, lastDelayMs: 0 }
}

/** The topic's channel was up for `upForMs`: longer than the last wait ends the streak. */
export function channelStayedUp(streak: RefusalStreak, upForMs: number): void {
  if (upForMs > streak.lastDelayMs) streak.count = 0
}

/** A refused subscription asks again at most this long after it was refused. */
const REFUSED_SUBSCRIPTION_MAX_MS = 300_000

/**
 * A refusal of the server, counted by kind and logged once per kind with what to do about it.
 * A rate limit waits long (30 s doubling to 5 min, jittered; `recover()` cuts it short) and
 * `ClientJoinRateLimitReached` holds every join of this client as long. A refused subscription
 * is a configuration error, yet never terminal: it asks again as rarely (capped at 5 min), in
 * case the publication was fixed; `recover()` asks at once, and a changed subscription starts
 * a new channel anyway. Meanwhile the topic is not live, so it is polled. The wait grows with
 * the topic's `streak`. Returns whether `recover()` ended the wait.
 */
export function* waitOutRefusal(
  ctx: CoreContext,
  topic: string,
  error: RealtimeError & { serverError: Exclude<ServerRefusal, 'unauthorized'> },
  streak: RefusalStreak,
): SagaIterator<boolean> {
  const { actions, env, logger, capacity } = ctx
  const kind = error.serverError
  const at = env.clock.now()
  const serialized = serializeRealtimeError(error)
  logger.once(`server-refusal:${kind}`, 'warn', error.message, { topic })
  const delayMs =
    kind === 'subscription-refused'
      ? Math.min(REFUSED_SUBSCRIPTION_MAX_MS, rateLimitDelay(streak.count, env.random))
      : rateLimitDelay(streak.count, env.random)
  streak.lastDelayMs = delayMs
  if (kind === 'join-rate-limit') {
    capacity.holdUntil = Math.max(capacity.holdUntil, at + delayMs)
    capacity.holdError = serialized
    capacity.holdReported.clear()
    capacity.holdReported.add(topic) // told below
  }
  yield put(actions.channelErrored({ topic, error: serialized, retryInMs: delayMs, serverRefusal: kind, at }))
  const woke = (yield race({ slept: call(sleep, env.clock, delayMs), recover: take(actions.recover.type) })) as {
    recover?: unknown
  }
  if (woke.recover) {
    capacity.holdUntil = 0
    streak.count = 0
    return true
  }
  streak.count += 1
  return false
}
