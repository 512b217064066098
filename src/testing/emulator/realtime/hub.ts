import type { RawData, WebSocket } from 'ws'
import type { TimerHandle } from '../../../env/clock'
import { thrownKind } from '../../../env/logger'
import { decodeTextFrame, decodeUserBroadcastPush, type DecodeResult, type Vsn } from '../protocol'
import type { MalformedFrameKind, RowChange } from '../types'
import { deliverToChannel } from './deliverChange'
import { endSession, handleFrame } from './frames'
import {
  pushBroadcast,
  removeChannel,
  send,
  shutdownChannel,
  subscribersOf,
  type ServerContext,
  type Session,
} from './session'

/** Close codes the emulator uses. */
export const CLOSE = {
  /** The emulator failed on a frame (a bug): this socket closes, the server stays up. */
  internal: 1011,
  /** `faults.restartServer()` and `stop()`. */
  restart: 1012,
} as const

/** One inserted row of `realtime.messages`. */
export interface DatabaseBroadcast {
  id: string
  topic: string
  event: string
  /** JSON, or raw bytes (`binary_payload`). */
  payload: unknown
  isPrivate: boolean
}

/** The sockets of one server, the channels they joined, and the fan-out of broadcasts and row changes. */
export interface Hub {
  accept(socket: WebSocket, vsn: Vsn, apikey: string): void
  deliverChange(change: RowChange): void
  /** A broadcast from the REST endpoint to every socket joined on `realtime:<subTopic>`. */
  broadcast(subTopic: string, event: string, payload: unknown, options: { isPrivate: boolean; binary: boolean }): number
  /** A row of `realtime.messages` (Broadcast from Database) to the channels of its topic and privacy, with `meta.id`. */
  broadcastFromDatabase(message: DatabaseBroadcast): number
  /** Terminates every socket without a close frame (the client sees 1006). */
  dropAll(): number
  /** Closes every socket with a close frame. */
  closeAll(code: number, reason: string): void
  /** Sends `phx_error` on a topic (`room` or `realtime:room`), or on every joined topic; they are no longer joined. */
  channelError(topic?: string): number
  /** Shuts down every channel whose token `TokenAuthority.expireAll` covered. */
  shutDownExpired(): number
  sendMalformed(kind: MalformedFrameKind): number
  /** Sockets currently open. */
  readonly openSockets: number
  /** Topics joined on any socket. */
  joinedTopics(): string[]
  /** Cancels postgres_changes the `postgresChanges` fault is still holding back. */
  dispose(): void
}

const MALFORMED: Record<MalformedFrameKind, string | Buffer> = {
  text: '{"this is": not json',
  binary: Buffer.from([9, 0, 0, 0]),
  shape: '{"unexpected":"shape"}',
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

/** How the hub treats its sockets. */
export interface HubOptions {
  /** Phoenix's websocket timeout: a socket that sent no frame for this long is closed with 1000; 0: never. */
  idleTimeoutMs: number
}

/** Creates the hub over a shared server context. */
export function createHub(ctx: ServerContext, { idleTimeoutMs }: HubOptions = { idleTimeoutMs: 0 }): Hub {
  let nextSessionId = 1
  const idleTimers = new Map<Session, TimerHandle>()
  const armIdle = (session: Session): void => {
    if (idleTimeoutMs <= 0) return
    const previous = idleTimers.get(session)
    if (previous !== undefined) ctx.clock.clearTimeout(previous)
    idleTimers.set(
      session,
      ctx.clock.setTimeout(() => {
        idleTimers.delete(session)
        ctx.logger.info('closing a socket that sent nothing for the websocket timeout', {
          session: session.id,
          timeoutMs: idleTimeoutMs,
        })
        session.socket.close(1000)
      }, idleTimeoutMs),
    )
  }
  const disarmIdle = (session: Session): void => {
    const timer = idleTimers.get(session)
    if (timer !== undefined) ctx.clock.clearTimeout(timer)
    idleTimers.delete(session)
  }
  const delayed = new Set<TimerHandle>()

  // The real server logs MalformedWebSocketMessage and keeps the socket open.
  const malformed = (session: Session, reason: string): void => {
    ctx.logger.once(`malformed-frame:${reason}`, 'warn', 'MalformedWebSocketMessage: a client frame was skipped', {
      session: session.id,
      reason,
    })
  }

  const onMessage = (session: Session, data: RawData, isBinary: boolean): void => {
    let decoded: DecodeResult
    if (isBinary) {
      if (session.vsn !== '2.0.0') return malformed(session, 'binary frame on a vsn 1.0.0 socket')
      const message = decodeUserBroadcastPush(toBytes(data))
      decoded = message
        ? { ok: true, message }
        : { ok: false, reason: 'binary frame is not a kind 3 user broadcast push' }
    } else {
      decoded = decodeTextFrame(Buffer.from(toBytes(data)).toString('utf8'), session.vsn)
    }
    if (!decoded.ok) return malformed(session, decoded.reason)
    const { message } = decoded
    session.queue = session.queue
      .then(() => handleFrame(ctx, session, message, { binary: isBinary }))
      .catch((error: unknown) => {
        ctx.logger.error('frame handling failed', { session: session.id, error: thrownKind(error) })
        session.socket.close(CLOSE.internal, 'internal error')
      })
  }

  const deliverNow = (change: RowChange): void => {
    for (const session of ctx.sessions) {
      for (const channel of session.channels.values()) {
        if (channel.held) channel.held.push(change)
        deliverToChannel(ctx, session, channel, change)
      }
    }
  }

  const openSessions = (): Session[] => [...ctx.sessions].filter((session) => session.socket.readyState === 1)

  return {
    accept(socket, vsn, apikey) {
      const session: Session = {
        id: nextSessionId++,
        vsn,
        socket,
        apikey,
        channels: new Map(),
        pendingJoins: new Map(),
        queue: Promise.resolve(),
      }
      ctx.sessions.add(session)
      ctx.logger.debug('socket open', { session: session.id, vsn })
      armIdle(session)
      socket.on('ping', () => armIdle(session))
      socket.on('message', (data, isBinary) => {
        armIdle(session)
        try {
          onMessage(session, data, isBinary)
        } catch (error) {
          ctx.logger.error('frame handling failed', { session: session.id, error: thrownKind(error) })
          socket.close(CLOSE.internal, 'internal error')
        }
      })
      // ws reports protocol violations (oversized frames: 1009, invalid UTF-8: 1007) here, then closes.
      socket.on('error', (error) =>
        ctx.logger.info('socket error', {
          session: session.id,
          error: (error as { code?: string }).code ?? thrownKind(error),
        }),
      )
      socket.on('close', (code) => {
        disarmIdle(session)
        endSession(ctx, session)
        ctx.logger.debug('socket closed', { session: session.id, code })
      })
    },
    deliverChange(change) {
      const mode = ctx.faults.postgresChanges
      if (mode === 'drop') return
      if (typeof mode !== 'number') return deliverNow(change)
      const timer = ctx.clock.setTimeout(() => {
        delayed.delete(timer)
        deliverNow(change)
      }, mode)
      delayed.add(timer)
    },
    broadcast(subTopic, event, payload, { isPrivate, binary }) {
      const targets = subscribersOf(ctx, `realtime:${subTopic}`, isPrivate)
      for (const [session, channel] of targets) pushBroadcast(ctx, session, channel.topic, event, payload, binary)
      return targets.length
    },
    broadcastFromDatabase({ id, topic, event, payload, isPrivate }) {
      const targets = subscribersOf(ctx, `realtime:${topic}`, isPrivate).filter(
        ([, channel]) => !channel.replayed.has(id),
      )
      for (const [session, channel] of targets) pushBroadcast(ctx, session, channel.topic, event, payload, true, { id })
      return targets.length
    },
    dropAll() {
      const sessions = [...ctx.sessions]
      for (const session of sessions) session.socket.terminate()
      return sessions.length
    },
    closeAll(code, reason) {
      for (const session of [...ctx.sessions]) session.socket.close(code, reason)
    },
    channelError(topic) {
      const full = topic === undefined ? undefined : topic.startsWith('realtime:') ? topic : `realtime:${topic}`
      let count = 0
      for (const session of openSessions()) {
        for (const channel of [...session.channels.values()]) {
          if (full !== undefined && channel.topic !== full) continue
          removeChannel(ctx, session, channel.topic)
          send(ctx, session, {
            join_ref: channel.joinRef,
            ref: channel.joinRef,
            topic: channel.topic,
            event: 'phx_error',
            payload: {},
          })
          count++
        }
      }
      return count
    },
    shutDownExpired() {
      let count = 0
      for (const session of openSessions()) {
        for (const channel of [...session.channels.values()]) {
          if (!ctx.auth.isExpired(channel.token)) continue
          const check = ctx.auth.check(channel.token)
          shutdownChannel(ctx, session, channel, check.ok ? 'Token has expired 0 seconds ago' : check.shutdownMessage)
          count++
        }
      }
      return count
    },
    sendMalformed(kind) {
      const sessions = openSessions()
      for (const session of sessions) session.socket.send(MALFORMED[kind])
      return sessions.length
    },
    get openSockets() {
      return openSessions().length
    },
    joinedTopics() {
      return [...new Set([...ctx.sessions].flatMap((session) => [...session.channels.keys()]))]
    },
    dispose() {
      for (const session of [...idleTimers.keys()]) disarmIdle(session)
      for (const timer of delayed) ctx.clock.clearTimeout(timer)
      delayed.clear()
    },
  }
}
