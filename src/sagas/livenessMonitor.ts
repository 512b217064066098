import type { EventChannel, SagaIterator } from 'redux-saga'
import { call, put, race, select, take } from 'redux-saga/effects'
import { RealtimeError } from '../errors/realtimeError'
import { SLOW_PROBE_MS } from '../policy/timing'
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
  const start = env.clock.now()
  const probe: ProbeState = { heardAt: start, sentAt: null, outAt: null, lastProbeAt: start, slow: false }
  const hear = () => {
    const last = transport.lastInboundAt?.() ?? null
    if (last !== null && last > probe.heardAt) probe.heardAt = last
    if (probe.sentAt !== null && probe.heardAt >= probe.sentAt) probe.sentAt = null
  }
  for (;;) {
    hear()
    const quietLimit = ((yield select(isVisible)) as boolean) ? intervalMs : hiddenIntervalMs
    const wakeAt = probe.sentAt === null ? nextProbeAt(probe, quietLimit) : probe.sentAt + timeoutMs
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
      const end = (yield call(onSocketSignal, ctx, result.signal, probe)) as ConnectionEnd | null
      if (end) return end
      continue
    }
    if (!result.timer) continue
    hear()
    const now = env.clock.now()
    // Frames keep the socket alive but the probe's reply is still queued: the link is slow already.
    if (probe.outAt !== null && !probe.slow && now - probe.outAt > SLOW_PROBE_MS)
      yield call(markSlow, ctx, probe, true, now)
    if (probe.sentAt !== null) {
      if (now < probe.sentAt + timeoutMs) continue
      yield put(actions.connectionSilenceDetected({ silentSince: probe.heardAt, probeSentAt: probe.sentAt, at: now }))
      const silentFor = now - probe.heardAt
      const error = new RealtimeError(
        'TIMEOUT',
        `no frame within ${timeoutMs} ms of a heartbeat (silent for ${silentFor} ms): the connection is silently dead`,
      )
      return { kind: 'lost', error, wasConnected: true }
    }
    const visible = (yield select(isVisible)) as boolean
    if (now < nextProbeAt(probe, visible ? intervalMs : hiddenIntervalMs)) continue
    transport.sendHeartbeat()
    probe.sentAt = now
    probe.outAt ??= now
    probe.lastProbeAt = now
  }
}

/** What the monitor knows of its probes. */
interface ProbeState {
  /** The last inbound frame (or byte). */
  heardAt: number
  /** A probe not yet answered by any frame. */
  sentAt: number | null
  /** Our probe awaiting its heartbeat reply (frames may answer it sooner): how late the reply is tells a slow link. */
  outAt: number | null
  /** When the last probe went out. */
  lastProbeAt: number
  slow: boolean
}

/**
 * When the next probe is due: after `quietLimit` of silence, and, while frames keep arriving, at
 * least every 2 × `quietLimit` anyway, so that how late its reply comes can tell a slow link
 * (frames trickling in prove the socket alive, not that events arrive in time).
 */
function nextProbeAt(probe: ProbeState, quietLimit: number): number {
  return Math.min(probe.heardAt + quietLimit, probe.lastProbeAt + 2 * quietLimit)
}

/** Records whether the link is slow (`probeAnswered`), when that changes. */
function* markSlow(ctx: CoreContext, probe: ProbeState, slow: boolean, at: number): SagaIterator<void> {
  const rttMs = probe.outAt === null ? 0 : at - probe.outAt
  if (probe.slow === slow) return
  probe.slow = slow
  yield put(ctx.actions.probeAnswered({ rttMs, slow, at }))
}

/** A socket signal while connected: how the connection ended, or null when it goes on. */
function* onSocketSignal(
  ctx: CoreContext,
  signal: SocketSignal,
  probe: ProbeState,
): SagaIterator<ConnectionEnd | null> {
  if (signal.type === 'close') {
    const error = new RealtimeError('NETWORK_ERROR', `the socket closed (code ${signal.code ?? 'unknown'})`)
    return { kind: 'lost', error, wasConnected: true }
  }
  if (signal.type === 'error') {
    return {
      kind: 'lost',
      error: new RealtimeError('NETWORK_ERROR', `the socket failed: ${signal.message}`),
      wasConnected: true,
    }
  }
  if (signal.type === 'malformed') {
    yield* reportMalformedFrame(ctx, signal.reason)
    const error = new RealtimeError('NETWORK_ERROR', `the socket received ${signal.reason}; replacing the socket`)
    return { kind: 'lost', error, wasConnected: true }
  }
  if (signal.type === 'heartbeat' && signal.status === 'ok') {
    const at = ctx.env.clock.now()
    probe.heardAt = at
    probe.sentAt = null
    if (probe.outAt !== null) {
      yield call(markSlow, ctx, probe, at - probe.outAt > SLOW_PROBE_MS, at)
      probe.outAt = null
    }
  }
  return null
}

/**
 * Counts and logs (once per kind) a frame the transport could not decode. The socket is replaced
 * afterwards: what the frame carried is lost, and a rejoin's catch-up covers it.
 */
export function* reportMalformedFrame(ctx: CoreContext, reason: string): SagaIterator<void> {
  ctx.logger.once(`malformed-frame:${reason}`, 'warn', `received ${reason}; replacing the socket`)
  yield put(ctx.actions.malformedFrameReceived({ reason, at: ctx.env.clock.now() }))
}
