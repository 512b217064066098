import type { RawData } from 'ws'
import { thrownKind } from '../../../env/logger'
import { decodeTextFrame, decodeUserBroadcastPush, type DecodeResult } from '../protocol'
import { CLOSE } from './closeCodes'
import { handleFrame } from './frames'
import type { ServerContext, Session } from './session'

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

/**
 * Logs a skipped client frame once per reason: the real server logs MalformedWebSocketMessage and
 * keeps the socket open.
 */
function reportMalformed(ctx: ServerContext, session: Session, reason: string): void {
  ctx.logger.once(`malformed-frame:${reason}`, 'warn', 'MalformedWebSocketMessage: a client frame was skipped', {
    session: session.id,
    reason,
  })
}

/** A text frame in the socket's vsn, or (vsn 2.0.0 only) a binary kind 3 user broadcast push. */
function decodeIncoming(session: Session, data: RawData, isBinary: boolean): DecodeResult {
  if (!isBinary) return decodeTextFrame(Buffer.from(toBytes(data)).toString('utf8'), session.vsn)
  if (session.vsn !== '2.0.0') return { ok: false, reason: 'binary frame on a vsn 1.0.0 socket' }
  const message = decodeUserBroadcastPush(toBytes(data))
  return message ? { ok: true, message } : { ok: false, reason: 'binary frame is not a kind 3 user broadcast push' }
}

/**
 * Decodes one client frame and queues its handling behind the session's earlier frames; a frame
 * that does not decode is logged and skipped, a handler that fails closes the socket with 1011.
 *
 * @internal
 */
export function receiveFrame(ctx: ServerContext, session: Session, data: RawData, isBinary: boolean): void {
  const decoded = decodeIncoming(session, data, isBinary)
  if (!decoded.ok) return reportMalformed(ctx, session, decoded.reason)
  const { message } = decoded
  session.queue = session.queue
    .then(() => handleFrame(ctx, session, message, { binary: isBinary }))
    .catch((error: unknown) => {
      ctx.logger.error('frame handling failed', { session: session.id, error: thrownKind(error) })
      session.socket.close(CLOSE.internal, 'internal error')
    })
}
