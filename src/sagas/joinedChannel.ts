import type { EventChannel, SagaIterator } from 'redux-saga'
import { call, put, race, take } from 'redux-saga/effects'
import { RealtimeError } from '../errors/realtimeError'
import type { RealtimeEvent } from '../events/events'
import type { ChannelSignal, TransportChannel } from '../events/port'
import type { SerializableSpec } from '../subscription/spec'
import type { CoreContext } from './context'
import { deliverEvent } from './deliverEvent'
import { never, sleep } from './effects'
import { replayCompleted, replayJoined, replayNoted, type ReplayMemory, type ReplayWatch } from './replayCatchUp'

/** How one joined (or joining) channel ended. */
export type ChannelOutcome =
  | { kind: 'failed'; error: RealtimeError; joined: boolean }
  | { kind: 'recover'; joined: boolean }
  | { kind: 'disabled'; joined: boolean }
  /** The connection saga declared the socket lost: the channel goes with it, whatever supabase-js reported. */
  | { kind: 'connectionLost'; joined: boolean }

/** One join of a topic's channel: what it listens to, and its replay catch-up. */
export interface JoinedChannel {
  topic: string
  channel: TransportChannel
  signals: EventChannel<ChannelSignal>
  subscribers: ReadonlyMap<string, SerializableSpec>
  replay: ReplayWatch
  replayMemory: ReplayMemory
}

interface RaceResult {
  signal?: ChannelSignal
  joinTimeout?: true
  replayWindow?: true
  recover?: unknown
  disabled?: unknown
  connectionLost?: unknown
}

/** Waits for the next thing that matters to a joining or joined channel. */
function nextOccurrence(ctx: CoreContext, joined: JoinedChannel, isJoined: boolean, deadline: number) {
  const { actions, env } = ctx
  const windowEndsAt = joined.replay.windowEndsAt
  return race({
    signal: take(joined.signals),
    joinTimeout: isJoined ? call(never) : call(sleep, env.clock, deadline - env.clock.now()),
    replayWindow: windowEndsAt === null ? call(never) : call(sleep, env.clock, windowEndsAt - env.clock.now()),
    recover: take(actions.recover.type),
    disabled: take(actions.disable.type),
    // A socket can die without supabase-js erroring its channels (it gave up waiting for the close).
    connectionLost: take([actions.reconnectScheduled.type, actions.connectionFailed.type]),
  })
}

/**
 * Runs one join of a channel until it ends: delivers its events, reports its join, and decides
 * its replay catch-up (complete when the window after the join reply closes below the limit).
 * @internal
 */
export function* runJoinedChannel(ctx: CoreContext, joined: JoinedChannel): SagaIterator<ChannelOutcome> {
  const { env, timing } = ctx
  const { topic } = joined
  const deadline = env.clock.now() + timing.joinTimeoutMs
  let isJoined = false
  for (;;) {
    const result = (yield nextOccurrence(ctx, joined, isJoined, deadline)) as RaceResult
    if (result.recover) return { kind: 'recover', joined: isJoined }
    if (result.disabled) return { kind: 'disabled', joined: isJoined }
    if (result.connectionLost) return { kind: 'connectionLost', joined: isJoined }
    if (result.replayWindow) {
      yield* replayCompleted(ctx, topic, joined.replay, joined.replayMemory)
      continue
    }
    if (!result.signal) {
      const error = new RealtimeError('TIMEOUT', `joining ${topic} got no reply within ${timing.joinTimeoutMs} ms`, {
        context: { topic },
      })
      return { kind: 'failed', error, joined: isJoined }
    }
    const signal = result.signal
    if (signal.type === 'event') yield* eventReceived(ctx, joined, signal.event)
    else if (signal.type === 'malformed') yield* malformedReceived(ctx, topic, signal.reason)
    else if (signal.status === 'SUBSCRIBED') {
      if (!isJoined) {
        isJoined = true
        yield* subscribed(ctx, joined)
      }
    } else {
      const error =
        signal.error ?? new RealtimeError('CHANNEL_ERROR', `${topic} reported ${signal.status}`, { context: { topic } })
      return { kind: 'failed', error, joined: isJoined }
    }
  }
}

function* eventReceived(ctx: CoreContext, joined: JoinedChannel, event: RealtimeEvent): SagaIterator<void> {
  const fresh = (yield* replayNoted(ctx, joined.topic, joined.replay, joined.replayMemory, event)) as boolean
  if (fresh && deliverEvent(event, joined.subscribers, ctx.registry, ctx.logger)) ctx.batchSignal.put(true)
}

function* malformedReceived(ctx: CoreContext, topic: string, reason: string): SagaIterator<void> {
  ctx.logger.once(`malformed:${reason}`, 'warn', `skipped a message it could not read: ${reason}`, { topic })
  yield put(ctx.actions.malformedMessageSkipped({ topic, reason, at: ctx.env.clock.now() }))
}

function* subscribed(ctx: CoreContext, joined: JoinedChannel): SagaIterator<void> {
  const at = ctx.env.clock.now()
  ctx.registry.liveChannels.set(joined.topic, joined.channel)
  replayJoined(joined.replay, joined.replayMemory, at)
  const replay = joined.replay.asked !== null && !joined.replay.decided
  yield put(ctx.actions.channelSubscribed(replay ? { topic: joined.topic, replay, at } : { topic: joined.topic, at }))
}
