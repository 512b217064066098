/**
 * A scripted Supabase Realtime server for the REAL supabase-js client, built on msw's WebSocket
 * interception (`ws.link`) and `setupServer`. Nothing listens on a port: msw patches
 * `globalThis.WebSocket`, and supabase-js picks that class up when `createClient` runs.
 *
 * Order matters:
 *   const rt = createMswRealtimeServer(); rt.listen()          // patches globalThis.WebSocket
 *   const client = createClient(rt.url, 'anon-key', { auth: { persistSession: false } })
 *   ...
 *   await client.removeAllChannels(); rt.close()               // afterEach
 * A client created BEFORE `listen()` captured the unpatched `ws` class and would dial the network.
 * Do not pass `realtime.transport`: a transport bypasses the patched global.
 * Only one instance may listen at a time (msw's WebSocket interceptor is a process-wide singleton).
 *
 * Wire protocol (Phoenix, as used by realtime-js 2.109): vsn 1.0.0 frames are JSON objects
 * `{join_ref, ref, topic, event, payload}`, vsn 2.0.0 frames are JSON arrays
 * `[join_ref, ref, topic, event, payload]`, plus binary user broadcasts (client→server kind 3,
 * server→client kind 4). The vsn of a connection is read from its `?vsn=` query parameter.
 */
import { http, HttpResponse, ws, type WebSocketData, type WebSocketHandlerConnection, type WebSocketLink } from 'msw'
import { setupServer, type SetupServerApi } from 'msw/node'
import NodeWebSocket from 'ws'
import {
  decodeTextFrame,
  decodeUserBroadcastPush,
  encodeTextFrame,
  encodeUserBroadcast,
  type PhoenixMessage,
  type Vsn,
} from '../../src/testing/emulator/protocol'

export { decodeUserBroadcastPush, encodeUserBroadcast, type PhoenixMessage, type Vsn }

type WsClient = WebSocketHandlerConnection['client']
export type PostgresEvent = 'INSERT' | 'UPDATE' | 'DELETE'

/** A decoded client→server frame. */
export interface ClientFrame extends PhoenixMessage {
  /** 1-based number of the connection it arrived on. */
  connection: number
  /** True for a binary (kind 3 user broadcast) frame. */
  binary: boolean
}

export interface PostgresChangesFilter {
  event: '*' | PostgresEvent
  schema: string
  table?: string
  filter?: string
  [key: string]: unknown
}

export interface JoinPayload {
  config?: {
    broadcast?: { ack?: boolean; self?: boolean; [key: string]: unknown }
    presence?: { key?: string; enabled?: boolean }
    postgres_changes?: PostgresChangesFilter[]
    private?: boolean
    [key: string]: unknown
  }
  access_token?: string
  [key: string]: unknown
}

export interface JoinRecord {
  topic: string
  payload: JoinPayload
  connection: number
  joinRef: string | null
}

export interface Reply {
  status: 'ok' | 'error'
  response: Record<string, unknown>
}

export interface JoinContext {
  connection: number
  /** The reply the server would give by default (ok, echoing filters with fresh ids). */
  defaultReply: () => Reply
}

export interface PostgresChange {
  schema: string
  table: string
  type: PostgresEvent
  record?: Record<string, unknown> | null
  old_record?: Record<string, unknown> | null
  columns?: { name: string; type: string }[]
  commit_timestamp?: string
  errors?: unknown
  /** Override the `ids` the frame carries (default: every matching joined binding). */
  ids?: number[]
}

export interface DropOptions {
  code?: number
  reason?: string
  /** Dispatch an `error` event on the client socket before closing it. */
  error?: boolean
}

export interface MswRealtimeServerOptions {
  /** Base URL for createClient (default 'http://realtime.test'). */
  url?: string
  /** msw's strategy for requests no handler matches (default 'error'). */
  onUnhandledRequest?: 'bypass' | 'warn' | 'error'
}

export const EXPIRED_TOKEN_REASON = 'InvalidJWTToken: Token has expired 10 seconds ago'

interface JoinedTopic {
  joinRef: string | null
  payload: JoinPayload
  bindings: (PostgresChangesFilter & { id: number })[]
}

interface Connection {
  id: number
  client: WsClient
  url: URL
  vsn: Vsn
  open: boolean
  topics: Map<string, JoinedTopic>
}

// msw leaks one BroadcastChannel listener per `ws.link()` call (MaxListenersExceededWarning after 10),
// so links are shared per URL; each server still gets its own connection handler.
const links = new Map<string, WebSocketLink>()
const linkFor = (wsUrl: string): WebSocketLink => {
  let link = links.get(wsUrl)
  if (!link) links.set(wsUrl, (link = ws.link(wsUrl)))
  return link
}

const realtimeTopic = (topic: string): string => (topic.startsWith('realtime:') ? topic : `realtime:${topic}`)

function toBytes(data: WebSocketData): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return null
}

function inferColumns(...records: (Record<string, unknown> | null | undefined)[]): { name: string; type: string }[] {
  const columns = new Map<string, string>()
  for (const record of records) {
    for (const [name, value] of Object.entries(record ?? {})) {
      if (columns.has(name) && value === null) continue
      const type =
        typeof value === 'number'
          ? Number.isInteger(value)
            ? 'int8'
            : 'float8'
          : typeof value === 'boolean'
            ? 'bool'
            : value !== null && typeof value === 'object'
              ? 'jsonb'
              : 'text'
      columns.set(name, type)
    }
  }
  return [...columns].map(([name, type]) => ({ name, type }))
}

/**
 * realtime-js decodes frames inside the socket's onmessage without a try/catch, so a malformed frame
 * (`sendRaw('not json')`, an unknown binary kind) throws there and surfaces as a process
 * `uncaughtException`, which Vitest reports as a failure. Install this around such a test:
 * while a second listener exists, Vitest treats the exception as handled. Always `restore()`.
 */
export function captureUncaughtErrors(): { errors: unknown[]; restore: () => void } {
  const errors: unknown[] = []
  const listener = (error: unknown): void => void errors.push(error)
  process.on('uncaughtException', listener)
  return { errors, restore: () => void process.off('uncaughtException', listener) }
}

export function createMswRealtimeServer(options: MswRealtimeServerOptions = {}) {
  const url = (options.url ?? 'http://realtime.test').replace(/\/$/, '')
  const wsUrl = `${url.replace(/^http/, 'ws')}/realtime/v1/websocket`
  const link = linkFor(wsUrl)
  const sockets = new Map<number, Connection>()
  let nextBindingId = 1
  let refused = 0
  let blackholed = false

  const send = (conn: Connection, msg: PhoenixMessage): void => {
    if (!conn.open) return
    conn.client.send(encodeTextFrame(conn.vsn, msg))
  }
  const reply = (
    conn: Connection,
    frame: PhoenixMessage,
    status: Reply['status'],
    response: Record<string, unknown> = {},
  ): void =>
    send(conn, {
      join_ref: frame.join_ref,
      ref: frame.ref,
      topic: frame.topic,
      event: 'phx_reply',
      payload: { status, response },
    })
  const joinedOn = (topic: string): [Connection, JoinedTopic][] =>
    [...sockets.values()].flatMap((conn) => {
      const joined = conn.open ? conn.topics.get(topic) : undefined
      return joined ? [[conn, joined] as [Connection, JoinedTopic]] : []
    })
  const broadcastTo = (conn: Connection, topic: string, event: string, payload: unknown, binary: boolean): void => {
    if (binary && conn.vsn === '2.0.0' && conn.open) conn.client.send(encodeUserBroadcast(topic, event, payload))
    else
      send(conn, {
        join_ref: null,
        ref: null,
        topic,
        event: 'broadcast',
        payload: { type: 'broadcast', event, payload },
      })
  }

  const defaultReply = (payload: JoinPayload): Reply => ({
    status: 'ok',
    response: {
      postgres_changes: (payload.config?.postgres_changes ?? []).map((filter) => ({ ...filter, id: nextBindingId++ })),
    },
  })

  // Handlers are installed at construction, so `server.resetHandlers()` keeps them.
  const handlers = [
    link.addEventListener('connection', (connection) => onConnection(connection)),
    http.post(`${url}/realtime/v1/api/broadcast`, async ({ request }) => {
      const body = (await request.json()) as { messages?: { topic: string; event: string; payload: unknown }[] }
      for (const message of body.messages ?? []) {
        api.restBroadcasts.push(message)
        if (!blackholed) api.sendBroadcast(message.topic, message.event, message.payload, { binary: api.binaryRelay })
      }
      return new HttpResponse(null, { status: 202 })
    }),
  ]

  const api = {
    /** The msw server (add more handlers with `server.use`). */
    server: setupServer(...handlers) as SetupServerApi,
    /** Base URL to pass to createClient. */
    url,
    /** The WebSocket endpoint supabase-js dials (without query). */
    wsUrl,

    // ---- logs (reset by reset()) ----
    /** WebSocket connection attempts, refused ones included. */
    connections: 0,
    /** Full URL of every connection attempt (apikey, vsn, log_level in the query). */
    connectionUrls: [] as URL[],
    joins: [] as JoinRecord[],
    frames: [] as ClientFrame[],
    heartbeats: 0,
    /** Binary (kind 3) broadcast frames received. */
    binaryBroadcasts: 0,
    /** Text frames that could not be decoded. */
    malformedFrames: [] as { connection: number; data: unknown }[],
    /** Messages POSTed to the REST broadcast endpoint (send() fallback when not joined). */
    restBroadcasts: [] as unknown[],

    // ---- behaviour knobs (mutable at any time) ----
    /** Decides the reply to an accepted phx_join; return null to never reply (join times out). */
    joinReply: (_topic: string, payload: JoinPayload, _ctx: JoinContext): Reply | null => defaultReply(payload),
    /** Token check run before joinReply. The token is the join's access_token, else the apikey. */
    acceptToken: (_token: string | undefined): boolean => true,
    /** Text of the join error when acceptToken says no. */
    rejectedTokenReason: EXPIRED_TOKEN_REASON,
    answerHeartbeats: true,
    /** Reply ok to access_token pushes (the real server sends no reply). */
    replyToAccessToken: true,
    /** Push a postgres_changes `system` "Subscribed to PostgreSQL" after a join with bindings, like the real server. */
    systemOnJoin: true,
    /** Relay client broadcasts as binary kind 4 frames to vsn 2.0.0 sockets (default JSON text). */
    binaryRelay: false,

    /** Refuses the next `n` connection attempts: `error` event, then close 1006, never `open`. */
    refuseConnections(n: number): void {
      refused = n
    },
    /** Closes every open socket abruptly (default code 1006, no close frame semantics). Returns how many. */
    dropAll({ code = 1006, reason = '', error = false }: DropOptions = {}): number {
      const open = [...sockets.values()].filter((conn) => conn.open)
      for (const conn of open) {
        conn.open = false
        if (error) (conn.client as unknown as { socket: EventTarget }).socket.dispatchEvent(new Event('error'))
        conn.client.close(code, reason)
      }
      return open.length
    },
    /** While on, the server reads frames but answers nothing (heartbeats, joins, leaves, acks). */
    blackhole(on: boolean): void {
      blackholed = on
    },
    get blackholed(): boolean {
      return blackholed
    },
    /** Sockets currently open. */
    get openConnections(): number {
      return [...sockets.values()].filter((conn) => conn.open).length
    },
    /** Topics currently joined on any open socket. */
    joinedTopics(): string[] {
      return [...new Set([...sockets.values()].filter((c) => c.open).flatMap((c) => [...c.topics.keys()]))]
    },

    // ---- server → client pushes; each returns the number of sockets it went to ----
    sendPostgresChange(topic: string, change: PostgresChange): number {
      const full = realtimeTopic(topic)
      let sent = 0
      for (const [conn, joined] of joinedOn(full)) {
        const ids =
          change.ids ??
          joined.bindings
            .filter(
              (b) => b.schema === change.schema && (b.table == null || b.table === '*' || b.table === change.table),
            )
            .filter((b) => b.event === '*' || b.event === change.type)
            .map((b) => b.id)
        if (ids.length === 0) continue
        const data = {
          schema: change.schema,
          table: change.table,
          commit_timestamp: change.commit_timestamp ?? new Date().toISOString(),
          type: change.type,
          columns: change.columns ?? inferColumns(change.record, change.old_record),
          record: change.record ?? (change.type === 'DELETE' ? undefined : {}),
          old_record: change.old_record ?? (change.type === 'INSERT' ? undefined : {}),
          errors: change.errors ?? null,
        }
        send(conn, { join_ref: null, ref: null, topic: full, event: 'postgres_changes', payload: { ids, data } })
        sent++
      }
      return sent
    },
    sendBroadcast(topic: string, event: string, payload: unknown, opts: { binary?: boolean } = {}): number {
      const targets = joinedOn(realtimeTopic(topic))
      for (const [conn] of targets) broadcastTo(conn, realtimeTopic(topic), event, payload, opts.binary ?? false)
      return targets.length
    },
    sendSystem(topic: string, payload: Record<string, unknown>): number {
      return api.sendToTopic(topic, 'system', payload)
    },
    /** The channel process crashed: phx_error with the channel's join_ref; the topic is no longer joined. */
    sendPhxError(topic: string): number {
      return api.sendToTopic(topic, 'phx_error', {}, { leave: true })
    },
    /** The server closed the channel: phx_close with the channel's join_ref; the topic is no longer joined. */
    sendPhxClose(topic: string): number {
      return api.sendToTopic(topic, 'phx_close', {}, { leave: true })
    },
    /** Pushes any event to every socket joined on `topic`, with that channel's join_ref. */
    sendToTopic(topic: string, event: string, payload: unknown, opts: { leave?: boolean } = {}): number {
      const full = realtimeTopic(topic)
      const targets = joinedOn(full)
      for (const [conn, joined] of targets) {
        send(conn, { join_ref: joined.joinRef, ref: opts.leave ? joined.joinRef : null, topic: full, event, payload })
        if (opts.leave) conn.topics.delete(full)
      }
      return targets.length
    },
    /** Sends raw data to every open socket. Malformed data throws inside realtime-js: see captureUncaughtErrors. */
    sendRaw(data: WebSocketData): number {
      const open = [...sockets.values()].filter((conn) => conn.open)
      for (const conn of open) conn.client.send(data)
      return open.length
    },

    /** Clears logs and restores default knobs (keeps handlers and open sockets). */
    reset(): void {
      Object.assign(api, {
        connections: 0,
        connectionUrls: [],
        joins: [],
        frames: [],
        heartbeats: 0,
        binaryBroadcasts: 0,
        malformedFrames: [],
        restBroadcasts: [],
        answerHeartbeats: true,
        replyToAccessToken: true,
        systemOnJoin: true,
        binaryRelay: false,
        rejectedTokenReason: EXPIRED_TOKEN_REASON,
        joinReply: (_topic: string, payload: JoinPayload): Reply | null => defaultReply(payload),
        acceptToken: (): boolean => true,
      })
      refused = 0
      blackholed = false
    },
    /** Ensures a global WebSocket exists (from `ws`) and starts intercepting. Call before createClient. */
    listen(): void {
      if (typeof globalThis.WebSocket === 'undefined') {
        ;(globalThis as { WebSocket?: unknown }).WebSocket = NodeWebSocket
      }
      api.server.listen({ onUnhandledRequest: options.onUnhandledRequest ?? 'error' })
    },
    /** Closes any socket still open (code 1000), then stops intercepting and restores globalThis.WebSocket. */
    close(): void {
      api.dropAll({ code: 1000, reason: 'server closed' })
      sockets.clear()
      api.server.close()
    },
  }

  const handleFrame = (conn: Connection, frame: PhoenixMessage): void => {
    const { topic, event } = frame
    if (topic === 'phoenix' && event === 'heartbeat') {
      api.heartbeats++
      if (api.answerHeartbeats && !blackholed) reply(conn, frame, 'ok')
      return
    }
    if (event === 'phx_join') {
      const payload = (frame.payload ?? {}) as JoinPayload
      api.joins.push({ topic, payload, connection: conn.id, joinRef: frame.join_ref })
      if (blackholed) return
      const token = payload.access_token ?? conn.url.searchParams.get('apikey') ?? undefined
      if (!api.acceptToken(token)) return reply(conn, frame, 'error', { reason: api.rejectedTokenReason })
      const answer = api.joinReply(topic, payload, { connection: conn.id, defaultReply: () => defaultReply(payload) })
      if (!answer) return
      if (answer.status === 'ok') {
        const bindings = (answer.response.postgres_changes ?? []) as JoinedTopic['bindings']
        conn.topics.set(topic, { joinRef: frame.join_ref, payload, bindings })
      }
      reply(conn, frame, answer.status, answer.response)
      if (
        answer.status === 'ok' &&
        api.systemOnJoin &&
        Array.isArray(answer.response.postgres_changes) &&
        answer.response.postgres_changes.length > 0
      ) {
        const channel = topic.replace(/^realtime:/, '')
        const system = { extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel }
        send(conn, { join_ref: frame.join_ref, ref: null, topic, event: 'system', payload: system })
      }
      return
    }
    if (blackholed) return
    const joined = conn.topics.get(topic)
    switch (event) {
      case 'phx_leave':
        conn.topics.delete(topic)
        return reply(conn, frame, 'ok')
      case 'access_token': {
        const token = (frame.payload as { access_token?: string } | null)?.access_token
        if (joined && token && !api.acceptToken(token)) {
          // Real server: system error message, then the channel stops (phx_close).
          send(conn, {
            join_ref: frame.join_ref,
            ref: null,
            topic,
            event: 'system',
            payload: {
              extension: 'system',
              status: 'error',
              message: api.rejectedTokenReason,
              channel: topic.replace(/^realtime:/, ''),
            },
          })
          send(conn, { join_ref: joined.joinRef, ref: joined.joinRef, topic, event: 'phx_close', payload: {} })
          conn.topics.delete(topic)
          return
        }
        if (api.replyToAccessToken) reply(conn, frame, 'ok')
        return
      }
      case 'broadcast': {
        if (!joined) return
        const { event: userEvent, payload } = (frame.payload ?? {}) as { event?: string; payload?: unknown }
        const broadcast = joined.payload.config?.broadcast
        for (const [other] of joinedOn(topic)) {
          if (other !== conn || broadcast?.self) broadcastTo(other, topic, String(userEvent), payload, api.binaryRelay)
        }
        if (broadcast?.ack) reply(conn, frame, 'ok')
        return
      }
      case 'presence':
        return reply(conn, frame, 'ok')
      default:
        return // like the real server: unknown client events get no reply
    }
  }

  const onConnection = ({ client }: WebSocketHandlerConnection): void => {
    const id = ++api.connections
    const clientUrl = new URL(client.url)
    api.connectionUrls.push(clientUrl)
    if (refused > 0) {
      refused--
      // What `ws` and browsers show for a failed handshake: error, then close 1006, never open.
      ;(client as unknown as { socket: EventTarget }).socket.dispatchEvent(new Event('error'))
      client.close(1006, '')
      return
    }
    const vsn: Vsn = clientUrl.searchParams.get('vsn') === '1.0.0' ? '1.0.0' : '2.0.0'
    const conn: Connection = { id, client, url: clientUrl, vsn, open: true, topics: new Map() }
    sockets.set(id, conn)
    client.addEventListener('close', () => {
      conn.open = false
      sockets.delete(id)
    })
    client.addEventListener('message', (event) => {
      const data = event.data as WebSocketData
      const bytes = toBytes(data)
      if (bytes) {
        const frame = decodeUserBroadcastPush(bytes)
        if (!frame) return void api.malformedFrames.push({ connection: id, data })
        api.binaryBroadcasts++
        api.frames.push({ ...frame, connection: id, binary: true })
        return handleFrame(conn, frame)
      }
      const decoded = decodeTextFrame(String(data))
      if (!decoded.ok) return void api.malformedFrames.push({ connection: id, data })
      const frame = decoded.message
      api.frames.push({ ...frame, connection: id, binary: false })
      handleFrame(conn, frame)
    })
  }

  return api
}

export type MswRealtimeServer = ReturnType<typeof createMswRealtimeServer>
