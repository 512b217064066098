/**
 * Helpers for the emulator's unit tests: the realtime server on 127.0.0.1 with a fake
 * ChangeSource, the REAL supabase-js client over a real WebSocket (`ws`), and raw `ws` clients
 * for frames supabase-js would never send.
 */
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js'
import { expect } from 'vitest'
import WebSocket from 'ws'
import type { Clock } from '../../src/env/clock'
import { createDefaultKeys, DEFAULT_JWT_SECRET, signJwt } from '../../src/testing/emulator/jwt'
import { encodeTextFrame, type PhoenixMessage, type Vsn } from '../../src/testing/emulator/protocol'
import {
  startRealtimeServer,
  type RealtimeServer,
  type RealtimeServerOptions,
} from '../../src/testing/emulator/realtimeServer'
import type { ChangeSource, JwtClaims, RowChange } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'

/** Refs of the frames raw clients and probes send. */
let rawRef = 0

export const SECRET = DEFAULT_JWT_SECRET
export const KEYS = createDefaultKeys(SECRET)

/** A ChangeSource the test pushes row changes into. */
export function fakeChangeSource(): ChangeSource & {
  push(change: Partial<RowChange> & Pick<RowChange, 'table' | 'type'>): void
  listeners: number
} {
  const listeners = new Set<(change: RowChange) => void>()
  return {
    onChange(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    stop: async () => listeners.clear(),
    get listeners() {
      return listeners.size
    },
    push(change) {
      const full: RowChange = {
        schema: 'public',
        record: null,
        oldRecord: null,
        columns: [],
        commitTimestamp: '2024-05-01T12:00:00.000Z',
        ...change,
      }
      for (const listener of listeners) listener(full)
    },
  }
}

/** Signs a user token valid for an hour of `clock` time (role `authenticated` unless given). */
export function userToken(claims: JwtClaims = {}, clock: Pick<Clock, 'now'> = { now: () => Date.now() }): string {
  return signJwt(
    { role: 'authenticated', sub: 'user-1', exp: Math.floor(clock.now() / 1000) + 3_600, ...claims },
    SECRET,
  )
}

export interface Harness {
  server: RealtimeServer
  changes: ReturnType<typeof fakeChangeSource>
  /** A supabase-js client (`accessToken`: third-party auth, the token every join carries). */
  client(options?: {
    vsn?: Vsn
    key?: string
    realtime?: Record<string, unknown>
    accessToken?: () => Promise<string>
  }): SupabaseClient
  /**
   * Sends a heartbeat on `client`'s socket and waits for its reply. The server answers a socket's
   * frames in order, so any frame an earlier push or server action sent that client has arrived
   * (and been handled by supabase-js) by then: the proof that something did NOT arrive.
   */
  answered(client: SupabaseClient): Promise<void>
  /** A raw `ws` client, closed by `stop`. */
  raw(options?: { vsn?: string | null; apikey?: string | null; path?: string }): Promise<RawClient>
  stop(): Promise<void>
}

/** Starts a realtime server (fake ChangeSource, default keys) and tracks every client for cleanup. */
export async function startHarness(options: Partial<RealtimeServerOptions> = {}): Promise<Harness> {
  const changes = fakeChangeSource()
  const server = await startRealtimeServer({
    jwtSecret: SECRET,
    apiKeys: [KEYS.anonKey, KEYS.serviceRoleKey],
    changeSource: changes,
    ...options,
  })
  const clients: SupabaseClient[] = []
  const sockets = new Map<SupabaseClient, WebSocket[]>()
  const raws: RawClient[] = []
  return {
    server,
    changes,
    client({ vsn = '2.0.0', key = KEYS.anonKey, realtime = {}, accessToken } = {}) {
      const opened: WebSocket[] = []
      class TrackedWebSocket extends WebSocket {
        constructor(address: string | URL, protocols?: string | string[]) {
          super(address, protocols)
          opened.push(this)
        }
      }
      const client = createClient(server.url, key, {
        ...(accessToken ? { accessToken } : { auth: { persistSession: false, autoRefreshToken: false } }),
        realtime: {
          transport: TrackedWebSocket as unknown as typeof globalThis.WebSocket,
          vsn,
          timeout: 2_000,
          ...realtime,
        },
      })
      clients.push(client)
      sockets.set(client, opened)
      return client
    },
    async answered(client) {
      const socket = sockets.get(client)?.findLast((s) => s.readyState === WebSocket.OPEN)
      if (!socket) throw new Error('answered: the client has no open socket')
      const ref = `probe-${++rawRef}`
      let replied = false
      const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
        const message = isBinary ? null : parseTextFrame(rawBuffer(data).toString('utf8'))
        if (message?.event === 'phx_reply' && message.ref === ref) replied = true
      }
      socket.on('message', onMessage)
      try {
        client.realtime.push({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref })
        await waitFor(() => replied, { message: `the reply to heartbeat ${ref}` })
      } finally {
        socket.off('message', onMessage)
      }
    },
    async raw(rawOptions = {}) {
      const client = await connectRaw(server.url, rawOptions)
      raws.push(client)
      return client
    },
    async stop() {
      for (const client of clients) {
        await client.removeAllChannels().catch(() => undefined)
        await client.realtime.disconnect().catch(() => undefined)
      }
      for (const raw of raws) raw.socket.terminate()
      await server.stop()
    },
  }
}

export type Status = { status: string; error?: Error }

/** Subscribes and records every status the channel reports. */
export function subscribe(channel: RealtimeChannel): Status[] {
  const statuses: Status[] = []
  channel.subscribe((status, error) => statuses.push(error ? { status, error } : { status }))
  return statuses
}

/** Waits for a status (default SUBSCRIBED) and returns it. */
export function reached(statuses: Status[], status = 'SUBSCRIBED', timeoutMs = 3_000): Promise<Status> {
  return waitFor(() => statuses.find((s) => s.status === status), {
    timeoutMs,
    message: `channel status ${status} (saw ${JSON.stringify(statuses)})`,
  })
}

/** A raw WebSocket client that records what it receives. */
export interface RawClient {
  socket: WebSocket
  vsn: Vsn
  /** Decoded text frames (either shape) and binary frames as Buffers. */
  received: (PhoenixMessage | Buffer)[]
  /** Text frames that were not JSON. */
  unparsed: string[]
  closed: Promise<{ code: number; reason: string }>
  /** Sends a message in this client's serializer (`ref` defaults to a fresh one). */
  push(
    topic: string,
    event: string,
    payload?: unknown,
    refs?: { ref?: string | null; join_ref?: string | null },
  ): string | null
  sendRaw(data: string | Buffer): void
  /** Waits for a decoded message that satisfies `predicate`. */
  next(predicate: (message: PhoenixMessage) => boolean, timeoutMs?: number): Promise<PhoenixMessage>
  /** Waits for the reply to `ref`. */
  reply(ref: string | null): Promise<{ status: string; response: Record<string, unknown> }>
  /**
   * Sends a heartbeat and waits for its reply; resolves with the reply's index in `received`. The
   * server answers a socket's frames in order, so whatever an earlier frame (or a server action
   * taken before) would send this socket has arrived by then: the proof that something did NOT.
   */
  answered(): Promise<number>
}

const rawBuffer = (data: WebSocket.RawData): Buffer =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)

/** A text frame in either serializer's shape, or null when it is not JSON. */
function parseTextFrame(text: string): PhoenixMessage | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  if (!Array.isArray(parsed)) return parsed as PhoenixMessage
  const [join_ref, ref, topic, event, payload] = parsed as [string | null, string | null, string, string, unknown]
  return { join_ref, ref, topic, event, payload }
}

/** Opens a raw client; rejects with the HTTP status when the upgrade is refused. */
export function connectRaw(
  baseUrl: string,
  {
    vsn = '2.0.0',
    apikey = KEYS.anonKey,
    path = '/realtime/v1/websocket',
  }: { vsn?: string | null; apikey?: string | null; path?: string } = {},
): Promise<RawClient> {
  const url = new URL(path, baseUrl.replace(/^http/, 'ws'))
  if (apikey !== null) url.searchParams.set('apikey', apikey)
  if (vsn !== null) url.searchParams.set('vsn', vsn)
  const socket = new WebSocket(url)
  const received: RawClient['received'] = []
  const unparsed: string[] = []
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  socket.on('message', (data, isBinary) => {
    const buffer = rawBuffer(data)
    if (isBinary) return void received.push(buffer)
    const message = parseTextFrame(buffer.toString('utf8'))
    if (message === null) unparsed.push(buffer.toString('utf8'))
    else received.push(message)
  })
  const messageVsn: Vsn = vsn === '1.0.0' || vsn === null ? '1.0.0' : '2.0.0'
  const client: RawClient = {
    socket,
    vsn: messageVsn,
    received,
    unparsed,
    closed,
    push(topic, event, payload = {}, refs = {}) {
      const ref = refs.ref === undefined ? String(++rawRef) : refs.ref
      socket.send(encodeTextFrame(messageVsn, { join_ref: refs.join_ref ?? null, ref, topic, event, payload }))
      return ref
    },
    sendRaw: (data) => socket.send(data),
    next: (predicate, timeoutMs = 2_000) =>
      waitFor(() => received.find((m): m is PhoenixMessage => !Buffer.isBuffer(m) && predicate(m)), {
        timeoutMs,
        message: 'a matching frame',
      }),
    async reply(ref) {
      const message = await client.next((m) => m.event === 'phx_reply' && m.ref === ref)
      return message.payload as { status: string; response: Record<string, unknown> }
    },
    async answered() {
      const ref = client.push('phoenix', 'heartbeat')
      expect((await client.reply(ref)).status).toBe('ok')
      return received.findIndex((m) => !Buffer.isBuffer(m) && m.event === 'phx_reply' && m.ref === ref)
    },
  }
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client))
    socket.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode ?? 0}`), { status: res.statusCode }))
      socket.terminate()
    })
    socket.on('error', (error) => reject(error))
  })
}
