import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocketServer } from 'ws'
import type { Clock } from '../../../env/clock'
import type { Logger } from '../../../env/logger'
import type { FaultState } from '../faults'
import { parseVsn, type Vsn } from '../protocol'
import { paceSocket } from '../slowLink'
import type { TokenAuthority } from './auth'
import type { Hub } from './hub'
import { loadWs, rejectUpgrade } from './lifecycle'

const WEBSOCKET_PATH = '/realtime/v1/websocket'

/** What a WebSocket upgrade carries, or how the real server refuses it. */
export type UpgradeCheck = { ok: true; vsn: Vsn; apikey: string } | { ok: false; status: number; error: string | null }

/** The real server's connect refusal texts (`user_socket.ex` `error_response`), by token check outcome. */
function refusalText(joinReason: string): string {
  if (joinReason.startsWith('InvalidJWTToken: Token has expired')) return 'Token has expired'
  if (joinReason.startsWith('InvalidJWTToken: ')) return joinReason.slice('InvalidJWTToken: '.length)
  return joinReason.slice(joinReason.indexOf(': ') + 2)
}

/**
 * Checks an upgrade to `/realtime/v1/websocket` as Supabase Realtime does: the serializer `vsn`
 * (Phoenix answers an unknown one 403 with no body), then the token — the `x-api-key` header,
 * else the `apikey` query parameter (an `apikey` header is not read) — refused with 401 and
 * `{"error": …}`.
 */
export function upgradeRefusal(req: IncomingMessage, url: URL, auth: TokenAuthority): UpgradeCheck {
  const vsn = parseVsn(url.searchParams.get('vsn'))
  if (!vsn) return { ok: false, status: 403, error: null }
  const header = req.headers['x-api-key']
  const apikey = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey')
  if (!apikey) return { ok: false, status: 401, error: 'API key is missing' }
  const check = auth.check(apikey)
  if (!check.ok) return { ok: false, status: 401, error: refusalText(check.joinReason) }
  return { ok: true, vsn, apikey }
}

/** @internal The WebSocket server the upgrades are handed to (no listener of its own). */
export async function createSocketServer(maxPayloadBytes: number): Promise<WebSocketServer> {
  const ws = await loadWs()
  // The real server skips UTF-8 validation: a bad text frame fails JSON decoding and is logged.
  return new ws.WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes, skipUTF8Validation: true })
}

/** What {@link acceptUpgrade} needs of the running server. @internal */
export interface UpgradeDeps {
  accepting: () => boolean
  state: FaultState
  auth: TokenAuthority
  hub: Hub
  wss: WebSocketServer
  clock: Clock
  logger: Logger
}

/**
 * Upgrades a request to `/realtime/v1/websocket` unless the server is not accepting, the path is
 * wrong, a fault refuses it or its `vsn` or token does not pass; the socket is paced by the
 * slow-link fault, then handed to the hub.
 *
 * @internal
 */
export function acceptUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: UpgradeDeps): void {
  const { state, auth, hub, wss, clock, logger } = deps
  socket.on('error', () => undefined)
  if (!deps.accepting()) return void socket.destroy()
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  if (url.pathname.replace(/\/$/, '') !== WEBSOCKET_PATH)
    return rejectUpgrade(socket, 404, `no WebSocket endpoint at ${url.pathname}`)
  if (state.refuseUpgrade()) {
    logger.debug('upgrade refused (fault)')
    return rejectUpgrade(socket, 503, 'connection refused (fault)')
  }
  const refusal = upgradeRefusal(req, url, auth)
  if (!refusal.ok) {
    logger.info('upgrade refused', { status: refusal.status })
    return rejectUpgrade(socket, refusal.status, refusal.error)
  }
  const { vsn, apikey } = refusal
  paceSocket(socket, () => state.slowLinkRate(), clock)
  wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws, vsn, apikey))
}
