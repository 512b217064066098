import type { SupabaseClient } from '@supabase/supabase-js'
import type { Clock } from '../env/clock'
import { RealtimeError } from '../errors/realtimeError'
import { foreignTopicHandle, heldChannel, toChannelSignalHandler, type SupabaseChannelHandle } from './channelHandles'
import { classifyChannelFailure } from './classifyError'
import { authorizeFresh } from './authorizeFresh'
import { guardDecode, type DecodingSocket } from './guardDecode'
import { guardHeartbeatTimeout, type HeartbeatSocket } from './heartbeatTimeoutGuard'
import { normalizeBroadcast, normalizePostgresChange } from './normalize'
import type { AuthChangeEvent, BroadcastResult, ChannelConfig, RealtimeTransport } from '../events/port'

const TOKEN_EXPIRED = /token has expired/i

/** Longest delay a JS timer accepts: used to park supabase-js's own retry timers for good. */
const NEVER_MS = 2_147_483_647

/** The parts of phoenix's Socket (inside realtime-js) that we observe. */
interface PhoenixSocket extends DecodingSocket, HeartbeatSocket {
  onOpen(callback: () => void): string
  onClose(callback: (event: { code?: number; reason?: string }) => void): string
  onError(callback: (error: unknown) => void): string
  onMessage(callback: (message: { topic?: string; event?: string; payload?: { status?: string; message?: unknown } }) => void): string
  off(refs: string[]): void
  rejoinAfterMs?: (tries: number) => number
}

/** realtime-js members that are public at runtime but not (all) in its type declarations. */
interface RealtimeInternals {
  socketAdapter?: { getSocket?: () => PhoenixSocket }
  reconnectTimer?: { timerCalc: (tries: number) => number; reset(): void }
  sendBuffer?: unknown[]
  pendingHeartbeatRef?: string | null
  accessTokenValue?: string | null
  apiKey?: string | null
}

function phoenixSocketOf(client: SupabaseClient): PhoenixSocket {
  const socket = (client.realtime as unknown as RealtimeInternals).socketAdapter?.getSocket?.()
  if (!socket || typeof socket.onOpen !== 'function' || typeof socket.off !== 'function') {
    throw new RealtimeError('CONNECTION_FAILED', 'this @supabase/supabase-js version does not expose the realtime socket; rtk-supabase-realtime supports ^2.100.0', {
      retryable: false,
    })
  }
  return socket
}

/** Park supabase-js's fixed 1/2/5/10 s socket reconnect and channel rejoin timers: all retry timing is the saga's. */
function takeOverRetryTimers(client: SupabaseClient, socket: PhoenixSocket): void {
  const internals = client.realtime as unknown as RealtimeInternals
  if (internals.reconnectTimer) internals.reconnectTimer.timerCalc = () => NEVER_MS
  socket.rejoinAfterMs = () => NEVER_MS
}

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
  const internals = realtime as unknown as RealtimeInternals
  const socket = phoenixSocketOf(client)
  takeOverRetryTimers(client, socket)
  // Any decoded frame proves the socket alive (phoenix calls message callbacks for every frame).
  let lastInboundAt: number | null = null
  // Topics whose token the server declared expired (its system message precedes the phx_close).
  const expiredTopics = new Map<string, string>()
  socket.onMessage((message) => {
    lastInboundAt = clock.now()
    const expiry = tokenExpiryNotice(message)
    if (expiry !== null && typeof message.topic === 'string') expiredTopics.set(message.topic, expiry)
  })
  // Frames queued ahead of a heartbeat reply keep phoenix from closing a socket that is alive.
  guardHeartbeatTimeout(socket, clock, () => lastInboundAt)
  // A frame that cannot be decoded is reported to the connection saga (which replaces the socket), never thrown.
  const malformedListeners = new Set<(reason: string) => void>()
  guardDecode(socket, (reason) => {
    for (const listener of [...malformedListeners]) listener(reason)
  })

  const createChannel = (topic: string, config: ChannelConfig): SupabaseChannelHandle => {
    // client.channel() returns an existing channel of the same topic: adding bindings to it throws
    // once it is joined, its subscribe() would be a no-op, and removing it would break its owner.
    if (heldChannel(client, topic)) return foreignTopicHandle(topic)
    const channel = client.channel(topic, {
      config: { private: config.private, broadcast: { self: config.broadcastOptions.self, ack: config.broadcastOptions.ack } },
    })
    const handle: SupabaseChannelHandle = {
      topic,
      channel,
      removed: false,
      join(listener, timeoutMs) {
        let lastPayload: unknown
        // supabase-js passes one payload object to every binding it matches: deliver it once.
        const once = (payload: unknown, deliver: () => void) => {
          if (handle.removed || payload === lastPayload) return
          lastPayload = payload
          deliver()
        }
        const onPostgres = (payload: unknown) =>
          once(payload, () => {
            const result = normalizePostgresChange(payload, topic, clock.now())
            listener(result.ok ? { type: 'event', event: result.event } : { type: 'malformed', reason: result.reason })
          })
        const onBroadcast = (payload: unknown) =>
          once(payload, () => {
            const result = normalizeBroadcast(payload, topic, clock.now())
            listener(result.ok ? { type: 'event', event: result.event } : { type: 'malformed', reason: result.reason })
          })
        try {
          for (const binding of config.postgres) {
            const filter = { event: binding.event, schema: binding.schema, ...(binding.table ? { table: binding.table } : {}), ...(binding.filter ? { filter: binding.filter } : {}) }
            channel.on('postgres_changes' as never, filter as never, onPostgres as never)
          }
          for (const event of config.broadcast) channel.on('broadcast', { event }, onBroadcast)
          const rejoinTimer = (channel as unknown as { rejoinTimer?: { timerCalc: (tries: number) => number } }).rejoinTimer
          if (rejoinTimer) rejoinTimer.timerCalc = () => NEVER_MS
          if (!realtime.isConnected()) {
            // subscribe() would open the socket on its own schedule; the saga only joins on an open socket.
            listener({ type: 'status', status: 'CHANNEL_ERROR', error: classifyChannelFailure('CHANNEL_ERROR', 'socket closed: not connected', topic) })
            return
          }
          expiredTopics.delete(channel.topic)
          const circumstances = () => {
            const tokenExpired = expiredTopics.get(channel.topic)
            return { socketOpen: realtime.isConnected(), ...(tokenExpired === undefined ? {} : { tokenExpired }) }
          }
          channel.subscribe(toChannelSignalHandler(handle, listener, circumstances), timeoutMs)
        } catch (error) {
          // supabase-js throws for bindings it refuses ("cannot add postgres_changes callbacks ... after subscribe()",
          // "tried to join multiple times"): a failed join, never an exception in the caller.
          listener({ type: 'status', status: 'CHANNEL_ERROR', error: classifyChannelFailure('CHANNEL_ERROR', error, topic) })
        }
      },
      async send(event, payload): Promise<BroadcastResult> {
        try {
          const result = await channel.send({ type: 'broadcast', event, payload })
          return result === 'ok' ? 'ok' : result === 'timed out' ? 'timed out' : 'error'
        } catch {
          return 'error'
        }
      },
    }
    return handle
  }

  return {
    clientKey: client,
    async connect() {
      if (realtime.isConnected()) return
      // A connection that died on its own is not cleared by phoenix and would block connect();
      // frames buffered for it (old joins and leaves) must not go out on the new one.
      await disconnectQuietly()
      if (internals.sendBuffer) internals.sendBuffer.length = 0
      lastInboundAt = null
      realtime.connect()
    },
    async disconnect() {
      await disconnectQuietly()
    },
    isConnected: () => realtime.isConnected(),
    watchSocket(listener) {
      const onMalformed = (reason: string) => listener({ type: 'malformed', reason })
      malformedListeners.add(onMalformed)
      const refs = [
        socket.onOpen(() => listener({ type: 'open' })),
        socket.onClose((event) => listener({ type: 'close', code: typeof event?.code === 'number' ? event.code : null, reason: String(event?.reason ?? '') })),
        socket.onError((error) => listener({ type: 'error', message: error instanceof Error ? error.message : 'socket error' })),
        socket.onMessage((message) => {
          if (message?.topic === 'phoenix' && message.event === 'phx_reply') {
            listener({ type: 'heartbeat', status: message.payload?.status === 'ok' ? 'ok' : 'error' })
          }
        }),
      ]
      return () => {
        malformedListeners.delete(onMalformed)
        socket.off(refs)
      }
    },
    lastInboundAt: () => lastInboundAt,
    sendHeartbeat() {
      // A heartbeat already in flight would make supabase-js declare a timeout: wait for its reply instead.
      if (internals.pendingHeartbeatRef) return
      void realtime.sendHeartbeat()
    },
    authorize: ({ forceRefresh }) => authorizeFresh(client, clock, forceRefresh),
    watchAuth(listener) {
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
    },
    createChannel,
    async removeChannel(handle) {
      const own = handle as SupabaseChannelHandle
      own.removed = true
      if (own.channel) await client.removeChannel(own.channel)
    },
    channelTopics: () => realtime.getChannels().map((channel) => channel.topic.replace(/^realtime:/, '')),
  }

  async function disconnectQuietly(): Promise<void> {
    try {
      internals.reconnectTimer?.reset()
      await realtime.disconnect()
    } catch {
      // Closing an already closed socket is not a failure.
    }
  }
}

/** The server's "Token has expired N seconds ago" system message on a joined topic, or null. */
function tokenExpiryNotice(message: { event?: string; payload?: { status?: string; message?: unknown } } | undefined): string | null {
  if (message?.event !== 'system' || message.payload?.status !== 'error') return null
  const text = message.payload.message
  return typeof text === 'string' && TOKEN_EXPIRED.test(text) ? text.slice(0, 200) : null
}
