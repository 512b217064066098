import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { systemClock, type Clock } from '../../env/clock'
import type { Logger } from '../../env/logger'
import type { PlanLimitsOption } from '../../policy/planLimits'
import type { MessagePolicies } from './db/messagePolicies'
import type { MessageReplay } from './db/messageReplay'
import type { RowVisibility } from './db/rowVisibility'
import { createFaults, type FaultState } from './faults'
import { createTokenAuthority, signerFor, type TokenAuthority } from './realtime/auth'
import type { SubscriptionCatalog } from './realtime/catalog'
import { subscribeSources } from './realtime/changeSources'
import { CLOSE } from './realtime/closeCodes'
import { faultEffects } from './realtime/faultEffects'
import { createHub } from './realtime/hub'
import { answerOrFail, type Routes } from './realtime/httpRoutes'
import { closeListener, closeSockets, emulatorLogger, listen } from './realtime/lifecycle'
import { createServerLimits } from './realtime/limits'
import type { AuthorizePrivate, ServerContext } from './realtime/session'
import { acceptUpgrade, createSocketServer } from './realtime/upgrade'
import { createTokenSource, type TokenSourceOptions } from './tokenSource'
import type { ChangeSource, EmulatorFaults } from './types'

/** Default largest WebSocket frame, the real server's `max_frame_size` (bigger ones close the socket with 1009). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 5_000_000
/** Phoenix's websocket `timeout`: a socket that sends nothing for this long is closed (1000). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000

/** Options of {@link startRealtimeServer}: only `jwtSecret` is required. */
export interface RealtimeServerOptions {
  /** Default 0: a free port. Always bound to 127.0.0.1. */
  port?: number
  /** HS256 secret every token is checked against. */
  jwtSecret: string
  /** Project API keys (anon, service role): `faults.expireTokens()` never expires them. */
  apiKeys?: readonly string[]
  /** Row changes to turn into postgres_changes (a fake in tests, logical replication in the emulator). */
  changeSource?: ChangeSource
  authorizePrivate?: AuthorizePrivate
  /** Other HTTP routes (PostgREST at /rest/v1): resolves true when it answered the request. */
  httpHandler?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>
  clock?: Clock
  logger?: Logger
  /** Largest WebSocket frame accepted; default {@link DEFAULT_MAX_PAYLOAD_BYTES}. */
  maxPayloadBytes?: number
  /** Closes a socket that sent no frame for this long, on `clock`; default {@link DEFAULT_IDLE_TIMEOUT_MS}, 0: never. */
  idleTimeoutMs?: number
  /** The publication's tables: postgres_changes subscriptions are checked against it (unknown tables, columns). */
  catalog?: SubscriptionCatalog
  /** RLS checks on `realtime.messages` for private channels; `authorizePrivate` overrides them. */
  policies?: MessagePolicies
  /** Private broadcasts read back for `config.broadcast.replay`; without it a replay join is refused. */
  replay?: MessageReplay
  /** RLS checks of changed rows: postgres_changes of an RLS table reach only subscribers that can SELECT the row. */
  rowVisibility?: RowVisibility
  /** Inserts into `realtime.messages` (Broadcast from Database); without it joins asking for `replication_ready` are shut down. */
  broadcastSource?: ChangeSource
  /** The plan's limits (channels per socket, joins and messages per second); default `'pro'`. */
  limits?: PlanLimitsOption
}

/** A running realtime server: Supabase Realtime's WebSocket protocol and REST broadcast on 127.0.0.1. */
export interface RealtimeServer {
  /** `http://127.0.0.1:port` */
  url: string
  port: number
  faults: EmulatorFaults
  /** Records a token signed outside the server so that `faults.expireTokens()` covers it. */
  registerToken(token: string): void
  /** A user-token callback for supabase-js's `accessToken` option; see `RealtimeEmulator.tokenSource`. */
  tokenSource(options?: TokenSourceOptions): () => Promise<string>
  /** Sockets currently open. */
  readonly openSockets: number
  /** Topics (`realtime:…`) joined on any socket. */
  joinedTopics(): string[]
  /** Closes every socket and the listener; idempotent. */
  stop(): Promise<void>
}

/**
 * The server context every session shares, with the optional database checks of `options`.
 *
 * @internal
 */
function createServerContext(
  options: RealtimeServerOptions,
  base: { clock: Clock; logger: Logger; auth: TokenAuthority; faults: FaultState },
): ServerContext {
  const ctx: ServerContext = { ...base, limits: createServerLimits(options.limits), sessions: new Set() }
  if (options.authorizePrivate) ctx.authorizePrivate = options.authorizePrivate
  if (options.catalog) ctx.catalog = options.catalog
  if (options.policies) ctx.policies = options.policies
  if (options.rowVisibility) ctx.rowVisibility = options.rowVisibility
  if (options.replay) ctx.replay = options.replay
  ctx.replicationReady = options.broadcastSource !== undefined
  return ctx
}

/** @internal `options.idleTimeoutMs` or its default; a TypeError unless a non-negative number. */
function idleTimeoutOf(options: RealtimeServerOptions): number {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  if (!Number.isFinite(idleTimeoutMs) || idleTimeoutMs < 0)
    throw new TypeError(`idleTimeoutMs must be a non-negative number of milliseconds, got ${String(idleTimeoutMs)}`)
  return idleTimeoutMs
}

/**
 * Starts the realtime half of the emulator: a node:http server on 127.0.0.1 that upgrades
 * `/realtime/v1/websocket` (checking `apikey` and `vsn`), serves the REST broadcast endpoints and
 * hands every other request to `httpHandler`. Row changes from `changeSource` become
 * postgres_changes frames for the channels whose bindings match.
 *
 * @example
 * const server = await startRealtimeServer({ jwtSecret: DEFAULT_JWT_SECRET, changeSource })
 * const client = createClient(server.url, anonKey)
 */
export async function startRealtimeServer(options: RealtimeServerOptions): Promise<RealtimeServer> {
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? emulatorLogger(false)
  const auth = createTokenAuthority({ secret: options.jwtSecret, clock, apiKeys: options.apiKeys ?? [] })
  const wss = await createSocketServer(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES)
  let accepting = true
  let stopped = false
  let restarting: Promise<void> | null = null
  let stopping: Promise<void> | null = null

  // Stop listening first (nothing new gets in), then close the sockets, then wait for the listener.
  const shutdown = async (code: number, reason: string): Promise<void> => {
    accepting = false
    const listenerClosed = closeListener(server)
    await closeSockets(wss, clock, code, reason)
    await listenerClosed
  }

  const restartServer = (): Promise<void> => {
    if (stopped) return Promise.reject(new Error('faults.restartServer: the emulator is stopped'))
    restarting ??= (async () => {
      logger.info('restarting the server (fault)', { port })
      await shutdown(CLOSE.restart, 'server restart')
      if (stopped) return
      port = await listen(server, port)
      accepting = true
    })().finally(() => {
      restarting = null
    })
    return restarting
  }
  const { state, faults } = createFaults(
    clock,
    faultEffects(() => hub, auth, logger, restartServer),
  )
  const ctx = createServerContext(options, { clock, logger, auth, faults: state })
  const hub = createHub(ctx, { idleTimeoutMs: idleTimeoutOf(options) })
  const routes: Routes = { restDeps: { hub, auth, ctx }, httpHandler: options.httpHandler }

  const server = createServer((req, res) => answerOrFail(req, res, routes, logger))
  const upgradeDeps = { accepting: () => accepting, state, auth, hub, wss, clock, logger }
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    acceptUpgrade(req, socket, head, upgradeDeps),
  )
  let port = await listen(server, options.port ?? 0)
  const unsubscribe = subscribeSources(options, hub, logger)
  logger.info('listening', { url: `http://127.0.0.1:${port}` })

  return {
    url: `http://127.0.0.1:${port}`,
    get port() {
      return port
    },
    faults,
    registerToken: (token) => auth.issued(token),
    tokenSource: (tokenOptions) =>
      createTokenSource(
        { clock, sign: signerFor(options.jwtSecret, auth), unavailable: () => state.authUnavailable() },
        tokenOptions,
      ),
    get openSockets() {
      return hub.openSockets
    },
    joinedTopics: () => hub.joinedTopics(),
    stop() {
      stopping ??= (async () => {
        stopped = true
        unsubscribe()
        await restarting?.catch(() => undefined)
        hub.dispose()
        await shutdown(1001, 'server stopped')
        wss.close()
        logger.info('stopped')
      })()
      return stopping
    },
  }
}
