import type { SagaIterator } from 'redux-saga'
import { call, cancelled, put, race, take } from 'redux-saga/effects'
import { joinRate, reserveJoin } from '../policy/capacity'
import type { Capacity } from './capacity'
import type { CoreContext } from './context'
import { sleep } from './effects'

/**
 * Waits for this client's turn to join: past the server's join hold (set by
 * `ClientJoinRateLimitReached`; `recover()` lifts it), then a token of the join bucket, so a
 * reconnect with many topics never sends more than its share of the project's joins per second.
 */
export function* awaitJoinTurn(ctx: CoreContext, topic: string): SagaIterator<void> {
  const { capacity, env, actions } = ctx
  while (capacity.holdUntil > env.clock.now()) {
    const waitMs = capacity.holdUntil - env.clock.now()
    if (capacity.holdError && !capacity.holdReported.has(topic)) {
      capacity.holdReported.add(topic)
      yield put(actions.channelErrored({ topic, error: capacity.holdError, retryInMs: waitMs, at: env.clock.now() }))
    }
    const woke = (yield race({ slept: call(sleep, env.clock, waitMs), recover: take(actions.recover.type) })) as {
      recover?: unknown
    }
    if (woke.recover) capacity.holdUntil = 0
  }
  const dueAt = takeJoin(capacity, env.clock.now())
  try {
    if (dueAt > env.clock.now()) yield call(sleep, env.clock, dueAt - env.clock.now())
  } finally {
    // Cancelled before its turn (last subscriber left, a rebind, stop): the turn goes to the next join.
    if (((yield cancelled()) as boolean) && dueAt > env.clock.now()) giveBackJoin(capacity, dueAt)
  }
}

/**
 * This join's time: the earliest turn a cancelled topic gave back (never one already past: a join
 * late for its turn could bunch with the next), else a new one from the bucket.
 */
function takeJoin(capacity: Capacity, now: number): number {
  const { freedJoins } = capacity
  while (freedJoins.length > 0 && freedJoins[0]! < now) freedJoins.shift()
  const freed = freedJoins.shift()
  if (freed !== undefined) return freed
  const { bucket, waitMs } = reserveJoin(capacity.bucket, now, joinRate(capacity.limits))
  capacity.bucket = bucket
  return now + waitMs
}

function giveBackJoin(capacity: Capacity, dueAt: number): void {
  const { freedJoins } = capacity
  const index = freedJoins.findIndex((at) => at > dueAt)
  freedJoins.splice(index < 0 ? freedJoins.length : index, 0, dueAt)
}
