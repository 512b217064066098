import type { EventChannel, SagaIterator } from 'redux-saga'
import { call, put, race, select, take } from 'redux-saga/effects'
import { RealtimeError } from '../errors/realtimeError'
import type { RealtimeState } from '../slice/state'
import type { SocketSignal } from '../events/port'
import type { CoreContext } from './context'
import { settle, sleep, waitForState } from './effects'
import { waitWhileFailed } from './failedRetry'
import { monitorLiveness, reportMalformedFrame, type ConnectionEnd } from './livenessMonitor'
import { waitBeforeRetry, type RetryHints } from './retryWait'
import { socketSignals } from './socketSignals'

/**
 * Owns the one socket. It connects while some topic has subscribers, notices a dead
 * connection through its own liveness probe, and reconnects on its own schedule: full-jitter
 * backoff for `maxRetries` attempts, then the slow suspended cadence forever. The kill switch
 * closes the socket until `enable()`; a refusal (`failed`) closes it until its own retry every
 * 30–60 s, a session change, or `recover()`.
 */
export function* connectionSaga(ctx: CoreContext): SagaIterator<void> {
  const { actions, selectors, transport } = ctx
  let attempt = 0
  const hints: RetryHints = { reads: { lastAt: null }, peers: { lastAt: null } }
  try {
    for (;;) {
      const state = (yield select(selectors.selectRealtimeState)) as RealtimeState
      // Each wait below re-reads the state first: the action that ends it may have been
      // dispatched while the socket was still closing (a real disconnect takes a while).
      if (state.connection === 'disabled') {
        yield call(settle, () => transport.disconnect())
        yield call(waitForState, (root) => selectors.selectConnectionState(root) !== 'disabled', [actions.enable.type])
        attempt = 0
        continue
      }
      if (state.connection === 'failed') {
        yield call(settle, () => transport.disconnect())
        yield call(waitWhileFailed, ctx, hints.reads)
        attempt = 0
        continue
      }
      if (Object.keys(state.channels).length === 0) {
        if (state.connection !== 'idle') {
          yield call(settle, () => transport.disconnect())
          yield put(actions.connectionIdled({ at: ctx.env.clock.now() }))
        }
        yield call(waitForState, (root) => Object.keys(selectors.selectChannels(root)).length > 0, [
          actions.subscriberAdded.type,
        ])
        continue
      }
      const end = (yield call(connectOnce, ctx, attempt)) as ConnectionEnd
      if (end.kind === 'interrupted') {
        attempt = 0
        continue
      }
      if (end.kind === 'idle') continue
      if (end.wasConnected) attempt = 0
      attempt = (yield call(waitBeforeRetry, ctx, attempt, end.error, hints)) as number
    }
  } finally {
    yield call(settle, () => transport.disconnect())
  }
}

/** One connection attempt, and the life of the connection if it opens. */
function* connectOnce(ctx: CoreContext, attempt: number): SagaIterator<ConnectionEnd> {
  const { actions, transport, env } = ctx
  const signals = socketSignals(transport)
  try {
    yield put(actions.connectionAttemptStarted({ attempt, at: env.clock.now() }))
    const started = (yield call(settle, () => transport.connect())) as { ok: boolean; error?: unknown }
    if (!started.ok) {
      const error = new RealtimeError('CONNECTION_FAILED', 'the socket could not be opened', { cause: started.error })
      return { kind: 'lost', error, wasConnected: false }
    }
    if (!transport.isConnected()) {
      const opened = (yield call(awaitOpen, ctx, signals)) as ConnectionEnd | null
      if (opened) return opened
    }
    // An open socket is not a working connection (a blackholed server accepts upgrades): it counts
    // as connected, and stops dead-mode polling, only once the server answers a heartbeat.
    const answered = (yield call(awaitFirstReply, ctx, signals)) as ConnectionEnd | null
    if (answered) return answered
    yield put(actions.connectionOpened({ at: env.clock.now() }))
    return (yield call(monitorLiveness, ctx, signals)) as ConnectionEnd
  } finally {
    signals.close()
  }
}

/** Sends a heartbeat on the new socket and waits for its reply; returns how the attempt ended if none came. */
function* awaitFirstReply(ctx: CoreContext, signals: EventChannel<SocketSignal>): SagaIterator<ConnectionEnd | null> {
  ctx.transport.sendHeartbeat()
  return (yield call(awaitSocket, ctx, signals, {
    within: ctx.timing.liveness.timeoutMs,
    done: (signal) => signal.type === 'heartbeat' && signal.status === 'ok',
    timedOut: `the socket opened but the server did not answer within ${ctx.timing.liveness.timeoutMs} ms`,
    failed: 'the socket closed before the server answered',
  })) as ConnectionEnd | null
}

/** Waits for the socket to open; returns how the attempt ended if it did not. */
function* awaitOpen(ctx: CoreContext, signals: EventChannel<SocketSignal>): SagaIterator<ConnectionEnd | null> {
  return (yield call(awaitSocket, ctx, signals, {
    within: ctx.timing.joinTimeoutMs,
    done: (signal) => signal.type === 'open',
    timedOut: `the socket did not open within ${ctx.timing.joinTimeoutMs} ms`,
    failed: 'the socket could not be opened',
  })) as ConnectionEnd | null
}

interface SocketWait {
  within: number
  done: (signal: SocketSignal) => boolean
  timedOut: string
  failed: string
}

/** Waits for a socket signal that `done` accepts; null when it came, else how the attempt ended. */
function* awaitSocket(
  ctx: CoreContext,
  signals: EventChannel<SocketSignal>,
  wait: SocketWait,
): SagaIterator<ConnectionEnd | null> {
  const { actions, env } = ctx
  const deadline = env.clock.now() + wait.within
  for (;;) {
    const result = (yield race({
      signal: take(signals),
      timeout: call(sleep, env.clock, deadline - env.clock.now()),
      interrupted: take([actions.disable.type, actions.connectionFailed.type, actions.recover.type]),
    })) as { signal?: SocketSignal; timeout?: true; interrupted?: unknown }
    if (result.interrupted) return { kind: 'interrupted' }
    if (result.timeout) return { kind: 'lost', error: new RealtimeError('TIMEOUT', wait.timedOut), wasConnected: false }
    const signal = result.signal as SocketSignal
    if (wait.done(signal)) return null
    if (signal.type === 'malformed') {
      yield* reportMalformedFrame(ctx, signal.reason)
      return {
        kind: 'lost',
        error: new RealtimeError('CONNECTION_FAILED', `${wait.failed}: it received ${signal.reason}`),
        wasConnected: false,
      }
    }
    if (signal.type === 'close' || signal.type === 'error') {
      const detail = signal.type === 'close' ? `closed with code ${signal.code ?? 'unknown'}` : signal.message
      return {
        kind: 'lost',
        error: new RealtimeError('CONNECTION_FAILED', `${wait.failed}: ${detail}`),
        wasConnected: false,
      }
    }
  }
}
