import type { IncomingMessage } from 'node:http'
import { parseVsn, type Vsn } from '../protocol'
import type { TokenAuthority } from './auth'

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
