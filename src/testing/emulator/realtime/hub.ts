import type { WebSocket } from 'ws'
import type { TimerHandle } from '../../../env/clock'
import { thrownKind } from '../../../env/logger'
import type { Vsn } from '../protocol'
import type { MalformedFrameKind, RowChange } from '../types'
import { CLOSE } from './closeCodes'
import { channelPayloads } from './bindings'
import { deliverToChannel } from './deliverChange'
import { endSession } from './frames'
import { createIdleTimers, type IdleTimers } from './idleTimers'
import { receiveFrame } from './incoming'
import { countChangeDelivered, countMessageDelivered, skipChangeOverLimit } from './limits'
import {
  pushBroadcast,
  removeChannel,
  send,
  shutdownChannel,
  subscribersOf,
  type ServerContext,
  type Session,
} from './session'

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

/** How the hub treats its sockets. */
export interface HubOptions {
  /** Phoenix's websocket timeout: a socket that sent no frame for this long is closed with 1000; 0: never. */
  idleTimeoutMs: number
}

/** @internal The sessions whose socket is open (readyState 1). */
function openSessions(ctx: ServerContext): Session[] {
  return [...ctx.sessions].filter((session) => session.socket.readyState === 1)
}

/** @internal A row change to every channel of every session; channels the fault holds also keep it. */
function deliverNow(ctx: ServerContext, change: RowChange): void {
  if (skipChangeOverLimit(ctx, change)) return
  const now = ctx.clock.now()
  for (const session of ctx.sessions) {
    for (const channel of session.channels.values()) {
      if (channel.held) channel.held.push(change)
      // The payloads are built once per channel: for the message count and for the delivery.
      const payloads = channelPayloads(channel.bindings, change)
      if (payloads.length > 0) countChangeDelivered(ctx, now)
      deliverToChannel(ctx, session, channel, change, payloads)
    }
  }
}

/**
 * Registers a new session for an upgraded socket and wires its frames, pings, errors and close.
 *
 * @internal
 */
function acceptSocket(ctx: ServerContext, idle: IdleTimers, session: Session): void {
  const { socket } = session
  ctx.sessions.add(session)
  ctx.logger.debug('socket open', { session: session.id, vsn: session.vsn })
  idle.arm(session)
  socket.on('ping', () => idle.arm(session))
  socket.on('message', (data, isBinary) => {
    idle.arm(session)
    try {
      receiveFrame(ctx, session, data, isBinary)
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
    idle.disarm(session)
    endSession(ctx, session)
    ctx.logger.debug('socket closed', { session: session.id, code })
  })
}

/**
 * Sends `phx_error` on every open channel of `topic` (`room` or `realtime:room`), or on every
 * open channel, and removes them; returns how many.
 *
 * @internal
 */
function errorChannels(ctx: ServerContext, topic: string | undefined): number {
  const full = topic === undefined ? undefined : topic.startsWith('realtime:') ? topic : `realtime:${topic}`
  let count = 0
  for (const session of openSessions(ctx)) {
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
}

/** @internal Shuts down every open channel whose token has expired; returns how many. */
function shutDownExpiredChannels(ctx: ServerContext): number {
  let count = 0
  for (const session of openSessions(ctx)) {
    for (const channel of [...session.channels.values()]) {
      if (!ctx.auth.isExpired(channel.token)) continue
      const check = ctx.auth.check(channel.token)
      shutdownChannel(ctx, session, channel, check.ok ? 'Token has expired 0 seconds ago' : check.shutdownMessage)
      count++
    }
  }
  return count
}

/** Creates the hub over a shared server context. */
export function createHub(ctx: ServerContext, { idleTimeoutMs }: HubOptions = { idleTimeoutMs: 0 }): Hub {
  let nextSessionId = 1
  const idle = createIdleTimers(ctx, idleTimeoutMs)
  const delayed = new Set<TimerHandle>()

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
      acceptSocket(ctx, idle, session)
    },
    deliverChange(change) {
      const mode = ctx.faults.postgresChanges
      if (mode === 'drop') return
      if (typeof mode !== 'number') return deliverNow(ctx, change)
      const timer = ctx.clock.setTimeout(() => {
        delayed.delete(timer)
        deliverNow(ctx, change)
      }, mode)
      delayed.add(timer)
    },
    broadcast(subTopic, event, payload, { isPrivate, binary }) {
      const targets = subscribersOf(ctx, `realtime:${subTopic}`, isPrivate)
      for (const [session, channel] of targets) pushBroadcast(ctx, session, channel.topic, event, payload, binary)
      for (const [session, channel] of targets) countMessageDelivered(ctx, session, channel.topic)
      return targets.length
    },
    broadcastFromDatabase({ id, topic, event, payload, isPrivate }) {
      const targets = subscribersOf(ctx, `realtime:${topic}`, isPrivate).filter(
        ([, channel]) => !channel.replayed.has(id),
      )
      for (const [session, channel] of targets) pushBroadcast(ctx, session, channel.topic, event, payload, true, { id })
      for (const [session, channel] of targets) countMessageDelivered(ctx, session, channel.topic)
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
    channelError: (topic) => errorChannels(ctx, topic),
    shutDownExpired: () => shutDownExpiredChannels(ctx),
    sendMalformed(kind) {
      const sessions = openSessions(ctx)
      for (const session of sessions) session.socket.send(MALFORMED[kind])
      return sessions.length
    },
    get openSockets() {
      return openSessions(ctx).length
    },
    joinedTopics() {
      return [...new Set([...ctx.sessions].flatMap((session) => [...session.channels.keys()]))]
    },
    dispose() {
      idle.disarmAll()
      for (const timer of delayed) ctx.clock.clearTimeout(timer)
      delayed.clear()
    },
  }
}
