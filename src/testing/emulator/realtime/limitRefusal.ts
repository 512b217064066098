import type { PhoenixMessage } from '../protocol'
import { joinRefusal } from './limits'
import { reply, type ServerContext, type Session } from './session'

/** Phoenix's `disconnect` broadcast ends the socket normally. */
const DISCONNECT_CODE = 1000

/**
 * Refuses a join over the plan's limits as the real server does: an error reply with its reason,
 * and for too many joins per second the socket is disconnected too. Returns whether it refused.
 */
export function refuseOverLimit(ctx: ServerContext, session: Session, message: PhoenixMessage): boolean {
  const refusal = joinRefusal(ctx, session)
  if (refusal === null) return false
  ctx.logger.once(`limit:${refusal.reason}`, 'warn', 'join refused by the plan limits', { reason: refusal.reason })
  reply(ctx, session, message, 'error', { reason: refusal.reason })
  if (refusal.disconnect) session.socket.close(DISCONNECT_CODE, 'disconnect')
  return true
}
