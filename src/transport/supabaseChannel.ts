import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js'
import type { Clock } from '../env/clock'
import { foreignTopicHandle, heldChannel, toChannelSignalHandler, type SupabaseChannelHandle } from './channelHandles'
import { classifyChannelFailure } from './classifyError'
import { describeBindings } from './serverRefusal'
import type { SocketObserver } from './socketObserver'
import { normalizeBroadcast, normalizePostgresChange, type NormalizeResult } from './normalize'
import { normalizeDatabaseBroadcast } from './normalizeDatabaseBroadcast'
import { NEVER_MS } from './phoenixSocket'
import type { RealtimeEvent } from '../events/events'
import type { BroadcastResult, ChannelConfig, ChannelSignal, JoinOptions } from '../events/port'

type SignalListener = (signal: ChannelSignal) => void
type Normalize = (raw: unknown, topic: string, receivedAt: number) => NormalizeResult<RealtimeEvent>

interface BindingCallbacks {
  onPostgres: (payload: unknown) => void
  onBroadcast: (payload: unknown) => void
  onDatabaseChange: (payload: unknown) => void
}

/**
 * A channel of ours on `topic`, or a handle that refuses every join when the client already holds
 * someone else's channel there. The observer holds the server's token-expiry notices by topic and
 * hears its refusals in system messages.
 * @internal
 */
export function createSupabaseChannel(
  client: SupabaseClient,
  clock: Clock,
  notices: Pick<SocketObserver, 'expiredTopics' | 'refusalListeners'>,
  topic: string,
  config: ChannelConfig,
  options: JoinOptions = {},
): SupabaseChannelHandle {
  // client.channel() returns an existing channel of the same topic: adding bindings to it throws
  // once it is joined, its subscribe() would be a no-op, and removing it would break its owner.
  if (heldChannel(client, topic)) return foreignTopicHandle(topic)
  const channel = client.channel(topic, {
    config: {
      private: config.private,
      broadcast: {
        self: config.broadcastOptions.self,
        ack: config.broadcastOptions.ack,
        // Replayed messages follow the join reply, marked meta.replayed (supabase-js refuses replay on public channels).
        ...(options.replay && config.private ? { replay: options.replay } : {}),
      },
    },
  })
  const handle: SupabaseChannelHandle = {
    topic,
    channel,
    removed: false,
    join(deliver, timeoutMs) {
      // Signals stop at the detach (the saga's event channel closed), whatever supabase-js still calls.
      let attached = true
      let onRefusal: ((text: string) => void) | null = null
      const listener: SignalListener = (signal) => {
        if (attached) deliver(signal)
      }
      try {
        addBindings(channel, config, deliverOnce(handle, clock, listener))
        const bindings = describeBindings(config.postgres)
        onRefusal = joinOnOpenSocket(client, handle, channel, notices, { listener, timeoutMs, bindings })
      } catch (error) {
        // supabase-js throws for bindings it refuses ("cannot add postgres_changes callbacks ... after subscribe()",
        // "tried to join multiple times"): a failed join, never an exception in the caller.
        listener({
          type: 'status',
          status: 'CHANNEL_ERROR',
          error: classifyChannelFailure('CHANNEL_ERROR', error, topic),
        })
      }
      return () => {
        attached = false
        if (onRefusal && notices.refusalListeners.get(channel.topic) === onRefusal)
          notices.refusalListeners.delete(channel.topic)
      }
    },
    send: (event, payload) => sendBroadcast(channel, event, payload),
  }
  return handle
}

/** The binding callbacks of one join: supabase-js passes one payload object to every binding it matches, so each is delivered once. */
function deliverOnce(handle: SupabaseChannelHandle, clock: Clock, listener: SignalListener): BindingCallbacks {
  let lastPayload: unknown
  const deliver = (payload: unknown, normalize: Normalize) => {
    if (handle.removed || payload === lastPayload) return
    lastPayload = payload
    const result = normalize(payload, handle.topic, clock.now())
    listener(result.ok ? { type: 'event', event: result.event } : { type: 'malformed', reason: result.reason })
  }
  return {
    onPostgres: (payload) => deliver(payload, normalizePostgresChange),
    onBroadcast: (payload) => deliver(payload, normalizeBroadcast),
    onDatabaseChange: (payload) => deliver(payload, normalizeDatabaseBroadcast),
  }
}

/** Adds the config's postgres_changes and broadcast bindings, and parks the channel's own rejoin timer. */
function addBindings(
  channel: RealtimeChannel,
  config: ChannelConfig,
  { onPostgres, onBroadcast, onDatabaseChange }: BindingCallbacks,
): void {
  for (const binding of config.postgres) {
    const filter = {
      event: binding.event,
      schema: binding.schema,
      ...(binding.table ? { table: binding.table } : {}),
      ...(binding.filter ? { filter: binding.filter } : {}),
    }
    channel.on('postgres_changes' as never, filter as never, onPostgres as never)
  }
  // Registered first: supabase-js calls matching bindings in order, and deliverOnce keeps the first reading.
  for (const event of config.databaseChanges ?? []) channel.on('broadcast', { event }, onDatabaseChange)
  for (const event of config.broadcast) channel.on('broadcast', { event }, onBroadcast)
  const rejoinTimer = (channel as unknown as { rejoinTimer?: { timerCalc: (tries: number) => number } }).rejoinTimer
  if (rejoinTimer) rejoinTimer.timerCalc = () => NEVER_MS
}

/** Subscribes the channel when the socket is open; on a closed socket the join fails at once. */
function joinOnOpenSocket(
  client: SupabaseClient,
  handle: SupabaseChannelHandle,
  channel: RealtimeChannel,
  { expiredTopics, refusalListeners }: Pick<SocketObserver, 'expiredTopics' | 'refusalListeners'>,
  { listener, timeoutMs, bindings }: { listener: SignalListener; timeoutMs: number; bindings: string },
): ((text: string) => void) | null {
  const realtime = client.realtime
  if (!realtime.isConnected()) {
    // subscribe() would open the socket on its own schedule; the saga only joins on an open socket.
    listener({
      type: 'status',
      status: 'CHANNEL_ERROR',
      error: classifyChannelFailure('CHANNEL_ERROR', 'socket closed: not connected', handle.topic),
    })
    return null
  }
  expiredTopics.delete(channel.topic)
  const circumstances = () => {
    const tokenExpired = expiredTopics.get(channel.topic)
    return { socketOpen: realtime.isConnected(), ...(tokenExpired === undefined ? {} : { tokenExpired }) }
  }
  // supabase-js reports none of the server's refusals in system messages: the channel fails on them here.
  const onRefusal = (refusal: string) => {
    if (handle.removed) return
    const error = classifyChannelFailure('CHANNEL_ERROR', refusal, handle.topic, {
      ...circumstances(),
      refusal,
      bindings,
    })
    listener({ type: 'status', status: 'CHANNEL_ERROR', error })
  }
  refusalListeners.set(channel.topic, onRefusal)
  channel.subscribe(toChannelSignalHandler(handle, listener, circumstances), timeoutMs)
  return onRefusal
}

async function sendBroadcast(channel: RealtimeChannel, event: string, payload: unknown): Promise<BroadcastResult> {
  try {
    const result = await channel.send({ type: 'broadcast', event, payload })
    return result === 'ok' ? 'ok' : result === 'timed out' ? 'timed out' : 'error'
  } catch {
    return 'error'
  }
}
