/** A phoenix decode function: calls `callback` with the decoded message (synchronously in every stock decoder). */
type Decode = (raw: unknown, callback: (message: unknown) => unknown) => unknown

/** The part of phoenix's Socket whose decoder is guarded. */
export interface DecodingSocket {
  decode?: Decode
}

function isPhoenixMessage(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const { topic, event } = value as { topic?: unknown; event?: unknown }
  return typeof topic === 'string' && typeof event === 'string'
}

/**
 * Wraps the socket's frame decoder so that a frame it cannot read never throws inside the
 * WebSocket message listener (in Node that is an uncaught exception: realtime-js decodes without
 * a try/catch, and a binary frame of an unknown kind decodes to `undefined`, which phoenix then
 * destructures). Such a frame is reported to `onMalformed` and dropped; every other frame goes
 * through untouched, and errors thrown by message handlers themselves still propagate.
 *
 * @internal
 */
export function guardDecode(socket: DecodingSocket, onMalformed: (reason: string) => void): void {
  const decode = socket.decode
  if (typeof decode !== 'function') return
  socket.decode = (raw, callback) => {
    let synchronous = true
    let decoded: { message: unknown } | null = null
    const forward = (message: unknown) => {
      if (!isPhoenixMessage(message)) return onMalformed('a frame that decodes to no message')
      return callback(message)
    }
    try {
      decode.call(socket, raw, (message) => {
        // An app's own asynchronous decoder calls back later: check and forward it then.
        if (synchronous) decoded = { message }
        else forward(message)
      })
    } catch {
      onMalformed('a frame that could not be decoded')
      return undefined
    } finally {
      synchronous = false
    }
    return decoded === null ? undefined : forward((decoded as { message: unknown }).message)
  }
}
