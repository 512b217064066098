import type { Clock } from '../env/clock'
import { guardDecode } from './guardDecode'
import { guardHeartbeatTimeout } from './heartbeatTimeoutGuard'
import { watchInboundBytes } from './inboundBytes'
import type { PhoenixMessage, PhoenixSocket } from './phoenixSocket'
import type { SocketSignal } from '../events/port'
import { refusalOf } from './serverRefusal'

const TOKEN_EXPIRED = /token has expired/i

/** What the transport keeps learning from the socket's frames, for as long as the transport lives. */
export interface SocketObserver {
  /** When the socket last received a frame of any kind, on the transport's clock; null before the first. */
  lastInboundAt(): number | null
  /** Forgets the last inbound frame (a new connection starts). */
  forgetInbound(): void
  /** Topics whose token the server declared expired (its system message precedes the phx_close). */
  readonly expiredTopics: Map<string, string>
  /** Who hears of the server's refusals in system messages, by full topic (supabase-js reports none of them as an error). */
  readonly refusalListeners: Map<string, (text: string) => void>
  /** Who hears of a frame that could not be decoded. */
  readonly malformedListeners: Set<(reason: string) => void>
}

/**
 * Starts observing every frame of `socket`: the last inbound time (bytes of a frame still
 * arriving count, where the WebSocket shows them), token-expiry notices, and undecodable frames. Also guards phoenix's heartbeat timeout and decoder.
 * @internal
 */
export function observeSocket(socket: PhoenixSocket, clock: Clock): SocketObserver {
  // Any decoded frame proves the socket alive (phoenix calls message callbacks for every frame).
  let lastInboundAt: number | null = null
  const expiredTopics = new Map<string, string>()
  const refusalListeners = new Map<string, (text: string) => void>()
  socket.onMessage((message) => {
    lastInboundAt = clock.now()
    const expiry = tokenExpiryNotice(message)
    if (expiry !== null && typeof message.topic === 'string') expiredTopics.set(message.topic, expiry)
    const refusal = refusalNotice(message)
    if (refusal !== null && typeof message.topic === 'string') refusalListeners.get(message.topic)?.(refusal)
  })
  // Bytes of a frame still arriving prove it alive too (a slow link takes seconds per frame).
  let detachBytes: () => void = () => undefined
  socket.onOpen(() => {
    detachBytes()
    detachBytes = watchInboundBytes(socket, () => {
      lastInboundAt = clock.now()
    })
  })
  socket.onClose(() => {
    detachBytes()
    detachBytes = () => undefined
  })
  // Frames queued ahead of a heartbeat reply keep phoenix from closing a socket that is alive.
  guardHeartbeatTimeout(socket, clock, () => lastInboundAt)
  // A frame that cannot be decoded is reported to the connection saga (which replaces the socket), never thrown.
  const malformedListeners = new Set<(reason: string) => void>()
  guardDecode(socket, (reason) => {
    for (const listener of [...malformedListeners]) listener(reason)
  })
  return {
    lastInboundAt: () => lastInboundAt,
    forgetInbound() {
      lastInboundAt = null
    },
    expiredTopics,
    refusalListeners,
    malformedListeners,
  }
}

/**
 * Socket open/close/error, heartbeat replies and undecodable frames as signals; returns the cleanup.
 * @internal
 */
export function watchSocketSignals(
  socket: PhoenixSocket,
  observer: SocketObserver,
  listener: (signal: SocketSignal) => void,
): () => void {
  const onMalformed = (reason: string) => listener({ type: 'malformed', reason })
  observer.malformedListeners.add(onMalformed)
  const refs = [
    socket.onOpen(() => listener({ type: 'open' })),
    socket.onClose((event) =>
      listener({
        type: 'close',
        code: typeof event?.code === 'number' ? event.code : null,
        reason: String(event?.reason ?? ''),
      }),
    ),
    socket.onError((error) =>
      listener({ type: 'error', message: error instanceof Error ? error.message : 'socket error' }),
    ),
    socket.onMessage((message) => {
      if (message?.topic === 'phoenix' && message.event === 'phx_reply') {
        listener({ type: 'heartbeat', status: message.payload?.status === 'ok' ? 'ok' : 'error' })
      }
    }),
  ]
  return () => {
    observer.malformedListeners.delete(onMalformed)
    socket.off(refs)
  }
}

/** A system error that is one of the server's refusals ("Too many messages per second", "Unable to subscribe…"), or null. */
function refusalNotice(message: PhoenixMessage | undefined): string | null {
  if (message?.event !== 'system' || message.payload?.status !== 'error') return null
  const text = message.payload.message
  return typeof text === 'string' && refusalOf(text) !== null ? text.slice(0, 500) : null
}

/** The server's "Token has expired N seconds ago" system message on a joined topic, or null. */
function tokenExpiryNotice(message: PhoenixMessage | undefined): string | null {
  if (message?.event !== 'system' || message.payload?.status !== 'error') return null
  const text = message.payload.message
  return typeof text === 'string' && TOKEN_EXPIRED.test(text) ? text.slice(0, 200) : null
}
