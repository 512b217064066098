import type { SupabaseClient } from '@supabase/supabase-js'
import type { Clock } from '../env/clock'
import type { SupabaseChannelHandle } from './channelHandles'
import { authorizeFresh } from './authorizeFresh'
import { phoenixSocketOf, realtimeInternals, takeOverRetryTimers } from './phoenixSocket'
import type { AuthChangeEvent, RealtimeTransport } from '../events/port'
import { observeSocket, watchSocketSignals } from './socketObserver'
import { createSupabaseChannel } from './supabaseChannel'

/**
 * The one adapter over supabase-js. It takes supabase-js's retry timers over at creation,
 * normalises statuses and payloads into plain signals, and never lets a callback of the
 * same message reach us twice (supabase-js calls one callback per matching binding).
 *
 * @example
 * const transport = createSupabaseTransport(supabase, systemClock)
 */
export function createSupabaseTransport(client: SupabaseClient, clock: Clock): RealtimeTransport {
  const realtime = client.realtime
  const internals = realtimeInternals(client)
  const socket = phoenixSocketOf(client)
  takeOverRetryTimers(client, socket)
  const observer = observeSocket(socket, clock)

  return {
    clientKey: client,
    async connect() {
      if (realtime.isConnected()) return
      // A connection that died on its own is not cleared by phoenix and would block connect();
      // frames buffered for it (old joins and leaves) must not go out on the new one.
      await disconnectQuietly(client)
      if (internals.sendBuffer) internals.sendBuffer.length = 0
      observer.forgetInbound()
      realtime.connect()
    },
    async disconnect() {
      await disconnectQuietly(client)
    },
    isConnected: () => realtime.isConnected(),
    watchSocket: (listener) => watchSocketSignals(socket, observer, listener),
    lastInboundAt: () => observer.lastInboundAt(),
    sendHeartbeat() {
      // A heartbeat already in flight would make supabase-js declare a timeout: wait for its reply instead.
      if (internals.pendingHeartbeatRef) return
      void realtime.sendHeartbeat()
    },
    authorize: ({ forceRefresh }) => authorizeFresh(client, clock, forceRefresh),
    watchAuth: (listener) => watchAuthChanges(client, listener),
    createChannel: (topic, config, options) => createSupabaseChannel(client, clock, observer, topic, config, options),
    async removeChannel(handle) {
      const own = handle as SupabaseChannelHandle
      own.removed = true
      if (own.channel) await client.removeChannel(own.channel)
    },
    channelTopics: () => realtime.getChannels().map((channel) => channel.topic.replace(/^realtime:/, '')),
  }
}

/** Closes the socket and stops supabase-js's reconnect timer; closing an already closed socket is no failure. */
async function disconnectQuietly(client: SupabaseClient): Promise<void> {
  try {
    realtimeInternals(client).reconnectTimer?.reset()
    await client.realtime.disconnect()
  } catch {
    // Closing an already closed socket is not a failure.
  }
}

/** Session changes of the client's auth, in the port's vocabulary; returns the cleanup. */
function watchAuthChanges(client: SupabaseClient, listener: (event: AuthChangeEvent) => void): () => void {
  try {
    const { data } = client.auth.onAuthStateChange((event) => {
      const known: AuthChangeEvent[] = ['SIGNED_IN', 'SIGNED_OUT', 'TOKEN_REFRESHED', 'USER_UPDATED']
      listener(known.includes(event as AuthChangeEvent) ? (event as AuthChangeEvent) : 'OTHER')
    })
    return () => data.subscription.unsubscribe()
  } catch {
    // Third-party auth (the `accessToken` client option) has no auth namespace to watch.
    return () => undefined
  }
}
