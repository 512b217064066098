import type { EventChannel, SagaIterator } from 'redux-saga'
import { call, put, race, select, take } from 'redux-saga/effects'
import { RealtimeError } from '../errors/realtimeError'
import type { RealtimeState } from '../slice/state'
import type { SocketSignal } from '../events/port'
import type { CoreContext } from './context'
import { sleep } from './effects'

/** How a connection (or an attempt at one) ended. */
export type ConnectionEnd =
  | { kind: 'lost'; error: RealtimeError; wasConnected: boolean }
  /** The kill switch, a permanent failure, or recover(): the main loop decides what next. */
  | { kind: 'interrupted' }
  /** The last topic went away: the socket is no longer needed. */
  | { kind: 'idle' }

type Woken = { signal?: SocketSignal; timer?: true; interrupted?: unknown; removed?: unknown; visibility?: unknown }

/**
 * Watches an open connection. Any inbound frame (a reply, an event, a system message) proves it
 * alive. After `liveness.intervalMs` of silence while visible (`hiddenIntervalMs` while hidden)
 * a heartbeat goes out; when no frame at all arrives within `liveness.timeoutMs` of it, the
 * connection is dead even if the socket looks open (half-open TCP, blackholed server). With the
 * defaults, silence is noticed within 5.5 s visible and 23 s hidden, instead of supabase-js's ~49 s.
 * A probe whose reply is queued behind other traffic is not silence: the traffic answers it.
 */
export function* monitorLiveness(ctx: CoreContext, signals: EventChannel<SocketSignal>): SagaIterator<ConnectionEnd> {
  const { actions, selectors, transport, env, timing } = ctx
  const { intervalMs, hiddenIntervalMs, timeoutMs } = timing.liveness
  const isVisible = (root: unknown) => selectors.selectRealtimeState(root).visible
  // The connection was verified by a reply just before this monitor started.
  let heardAt = env.clock.now()
  let probeSentAt: number | null = null
  const hear = () => {
    const last = transport.lastInboundAt?.() ?? null
    if (last !== null && last > heardAt) heardAt = last
    if (probeSentAt !== null && heardAt >= probeSentAt) probeSentAt = null
  }
  for (;;) {
    hear()
    const quietLimit = ((yield select(isVisible)) as boolean) ? intervalMs : hiddenIntervalMs
    const wakeAt = probeSentAt === null ? heardAt + quietLimit : probeSentAt + timeoutMs
    const result = (yield race({
      signal: take(signals),
      timer: call(sleep, env.clock, wakeAt - env.clock.now()),
      interrupted: take([actions.disable.type, actions.connectionFailed.type]),
      removed: take(actions.channelRemoved.type),
      // Becoming visible shortens the wait (a tab back from the background probes at once).
      visibility: take(actions.setVisibility.type),
    })) as Woken
    if (result.interrupted) return { kind: 'interrupted' }
    if (result.removed) {
      const state = (yield select(selectors.selectRealtimeState)) as RealtimeState
      if (Object.keys(state.channels).length === 0) return { kind: 'idle' }
      continue
    }
    if (result.signal) {
      const signal = result.signal
      if (signal.type === 'close') {
        return {
          kind: 'lost',
          error: new RealtimeError('NETWORK_ERROR', `the socket closed (code ${signal.code ?? 'unknown'})`),
          wasConnected: true,
        }
      }
      if (signal.type === 'error')
        return {
          kind: 'lost',
          error: new RealtimeError('NETWORK_ERROR', `the socket failed: ${signal.message}`),
          wasConnected: true,
        }
      if (signal.type === 'malformed') {
        yield* reportMalformedFrame(ctx, signal.reason)
        const error = new RealtimeError('NETWORK_ERROR', `the socket received ${signal.reason}; replacing the socket`)
        return { kind: 'lost', error, wasConnected: true }
      }
      if (signal.type === 'heartbeat' && signal.status === 'ok') {
        heardAt = env.clock.now()
        probeSentAt = null
      }
      continue
    }
    if (!result.timer) continue
    hear()
    const now = env.clock.now()
    if (probeSentAt !== null) {
      if (now < probeSentAt + timeoutMs) continue
      yield put(actions.connectionSilenceDetected({ silentSince: heardAt, probeSentAt, at: now }))
      const error = new RealtimeError(
        'TIMEOUT',
        `no frame within ${timeoutMs} ms of a heartbeat (silent for ${now - heardAt} ms): the connection is silently dead`,
      )
      return { kind: 'lost', error, wasConnected: true }
    }
    const visible = (yield select(isVisible)) as boolean
    if (now - heardAt < (visible ? intervalMs : hiddenIntervalMs)) continue
    transport.sendHeartbeat()
    probeSentAt = now
  }
}

/**
 * Counts and logs (once per kind) a frame the transport could not decode. The socket is replaced
 * afterwards: what the frame carried is lost, and a rejoin's catch-up covers it.
 */
export function* reportMalformedFrame(ctx: CoreContext, reason: string): SagaIterator<void> {
  ctx.logger.once(`malformed-frame:${reason}`, 'warn', `received ${reason}; replacing the socket`)
  yield put(ctx.actions.malformedFrameReceived({ reason, at: ctx.env.clock.now() }))
}
