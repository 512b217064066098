import type { EventChannel, SagaIterator } from 'redux-saga'
import { call, race, select, take } from 'redux-saga/effects'
import { RealtimeError } from '../errors/realtimeError'
import type { RealtimeState } from '../slice/state'
import type { SocketSignal } from '../transport/port'
import type { CoreContext } from './context'
import { sleep } from './effects'

/** How a connection (or an attempt at one) ended. */
export type ConnectionEnd =
  | { kind: 'lost'; error: RealtimeError; wasConnected: boolean }
  /** The kill switch, a permanent failure, or recover(): the main loop decides what next. */
  | { kind: 'interrupted' }
  /** The last topic went away: the socket is no longer needed. */
  | { kind: 'idle' }

/**
 * Watches an open connection. While the page is visible, a heartbeat goes out every
 * `liveness.intervalMs` of silence; no reply within `liveness.timeoutMs` means the connection
 * is dead even if the socket looks open (half-open TCP, blackholed server). With the defaults,
 * silence is noticed within 10 s instead of supabase-js's ~49 s.
 */
export function* monitorLiveness(ctx: CoreContext, signals: EventChannel<SocketSignal>): SagaIterator<ConnectionEnd> {
  const { actions, selectors, transport, env, timing } = ctx
  const { intervalMs, timeoutMs } = timing.liveness
  let probeSentAt: number | null = null
  let quietSince = env.clock.now()
  for (;;) {
    const wakeAt = probeSentAt === null ? quietSince + intervalMs : probeSentAt + timeoutMs
    const result = (yield race({
      signal: take(signals),
      timer: call(sleep, env.clock, wakeAt - env.clock.now()),
      interrupted: take([actions.disable.type, actions.connectionFailed.type]),
      removed: take(actions.channelRemoved.type),
    })) as { signal?: SocketSignal; timer?: true; interrupted?: unknown; removed?: unknown }
    if (result.interrupted) return { kind: 'interrupted' }
    if (result.removed) {
      const state = (yield select(selectors.selectRealtimeState)) as RealtimeState
      if (Object.keys(state.channels).length === 0) return { kind: 'idle' }
      continue
    }
    if (result.signal) {
      const signal = result.signal
      if (signal.type === 'close') {
        return { kind: 'lost', error: new RealtimeError('NETWORK_ERROR', `the socket closed (code ${signal.code ?? 'unknown'})`), wasConnected: true }
      }
      if (signal.type === 'error') return { kind: 'lost', error: new RealtimeError('NETWORK_ERROR', `the socket failed: ${signal.message}`), wasConnected: true }
      if (signal.type === 'heartbeat' && signal.status === 'ok') {
        probeSentAt = null
        quietSince = env.clock.now()
      }
      continue
    }
    if (probeSentAt !== null) {
      return { kind: 'lost', error: new RealtimeError('TIMEOUT', `no heartbeat reply within ${timeoutMs} ms: the connection is silently dead`), wasConnected: true }
    }
    const visible = (yield select((root: unknown) => selectors.selectRealtimeState(root).visible)) as boolean
    if (visible) {
      transport.sendHeartbeat()
      probeSentAt = env.clock.now()
    } else {
      quietSince = env.clock.now()
    }
  }
}
