/** The part of phoenix's Socket whose connection is watched: `conn` is the WebSocket it opened. */
export interface ConnectionSocket {
  conn?: unknown
}

/** A Node stream that reports the bytes it reads (`ws`'s underlying `net.Socket`). */
interface ByteStream {
  on(event: 'data', listener: () => void): unknown
  off(event: 'data', listener: () => void): unknown
}

function byteStreamOf(conn: unknown): ByteStream | null {
  const stream = (conn as { _socket?: unknown } | null | undefined)?._socket as Partial<ByteStream> | null | undefined
  return stream && typeof stream.on === 'function' && typeof stream.off === 'function' ? (stream as ByteStream) : null
}

/**
 * Calls `onBytes` whenever bytes of the current connection arrive, before a whole frame has:
 * on a link that delivers 100 bytes/s a frame of a few hundred bytes takes seconds, and its bytes
 * prove the socket alive although no frame completes. Only where the WebSocket exposes its
 * stream (the `ws` package in Node, its `_socket`); browsers and undici show whole frames only,
 * and there every decoded frame counts instead. Returns the detach function (a no-op when there
 * is nothing to watch).
 * @internal
 */
export function watchInboundBytes(socket: ConnectionSocket, onBytes: () => void): () => void {
  const stream = byteStreamOf(socket.conn)
  if (!stream) return () => undefined
  stream.on('data', onBytes)
  return () => stream.off('data', onBytes)
}
