import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js'
import { RealtimeError } from '../errors/realtimeError'
import { classifyChannelFailure, type FailureCircumstances } from './classifyError'
import type { ChannelSignal, TransportChannel } from '../events/port'

export interface SupabaseChannelHandle extends TransportChannel {
  /** Null when the client already held a channel on this topic that is not ours: we never adopt or remove it. */
  readonly channel: RealtimeChannel | null
  /** Set once we remove the channel, so that its own CLOSED is not reported as a failure. */
  removed: boolean
}

/** A channel the client already holds on `topic` (supabase-js would hand it back from `client.channel`). */
export function heldChannel(client: SupabaseClient, topic: string): RealtimeChannel | undefined {
  return client.realtime.getChannels().find((channel) => channel.topic === `realtime:${topic}`)
}

/** The handle for a topic someone else's channel holds: every join fails (retryable), nothing is touched. */
export function foreignTopicHandle(topic: string): SupabaseChannelHandle {
  const handle: SupabaseChannelHandle = {
    topic,
    channel: null,
    removed: false,
    join(listener) {
      const error = new RealtimeError(
        'SUBSCRIPTION_FAILED',
        `${topic}: this Supabase client already has a channel on this topic that rtk-supabase-realtime did not create; remove it (or subscribe through realtime.subscribe) so one owner holds the topic`,
        { context: { topic, status: 'CHANNEL_ERROR' } },
      )
      if (!handle.removed) listener({ type: 'status', status: 'CHANNEL_ERROR', error })
      return () => undefined
    },
    send: async () => 'error',
  }
  return handle
}

/**
 * The `subscribe` callback of one of our channels, as signals. supabase-js reports a postgres_changes
 * binding mismatch by closing the channel itself (CLOSED) and then, in the same tick, CHANNEL_ERROR
 * with the reason: a CLOSED is held for one microtask so that the reason, not the symptom, is reported.
 */
export function toChannelSignalHandler(
  handle: SupabaseChannelHandle,
  listener: (signal: ChannelSignal) => void,
  circumstances: () => FailureCircumstances = () => ({}),
) {
  let closePending = false
  return (status: string, error?: Error) => {
    if (handle.removed) return
    if (status === 'SUBSCRIBED') {
      listener({ type: 'status', status: 'SUBSCRIBED', error: null })
    } else if (status === 'CLOSED') {
      closePending = true
      queueMicrotask(() => {
        if (!closePending || handle.removed) return
        closePending = false
        listener({
          type: 'status',
          status: 'CLOSED',
          error: classifyChannelFailure('CLOSED', error, handle.topic, circumstances()),
        })
      })
    } else if (status === 'TIMED_OUT' || status === 'CHANNEL_ERROR') {
      closePending = false
      listener({ type: 'status', status, error: classifyChannelFailure(status, error, handle.topic, circumstances()) })
    } else {
      listener({ type: 'malformed', reason: 'unknown channel status' })
    }
  }
}
