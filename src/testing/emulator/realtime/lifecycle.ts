import type { Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocket, WebSocketServer } from 'ws'
import type { Clock } from '../../../env/clock'
import { consoleSink, createLogger, silentSink, type Logger } from '../../../env/logger'
import { createSeededRandom } from '../../../env/random'

/** `ws`, an optional peer dependency: loaded on first use so that importing the testing entry never needs it. */
export async function loadWs(): Promise<{ WebSocketServer: typeof WebSocketServer }> {
  try {
    const module = (await import('ws')) as unknown as {
      WebSocketServer?: typeof WebSocketServer
      default?: { WebSocketServer: typeof WebSocketServer }
    }
    const Server = module.WebSocketServer ?? module.default?.WebSocketServer
    if (!Server) throw new Error('ws exports no WebSocketServer')
    return { WebSocketServer: Server }
  } catch (error) {
    throw new Error('The realtime emulator needs the optional package "ws": npm install --save-dev ws', {
      cause: error,
    })
  }
}

/** How long sockets get to answer a close frame before they are cut. */
const CLOSE_GRACE_MS = 1_000

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
}

/** The emulator's logger: tag `[Emulator]`, silent unless `verbose`. */
export function emulatorLogger(verbose: boolean): Logger {
  return createLogger({
    tag: '[Emulator]',
    sink: verbose ? consoleSink : silentSink,
    level: verbose ? 'debug' : 'error',
    sampleRate: 1,
    random: createSeededRandom(1),
  })
}

/** Listens on 127.0.0.1 and resolves with the port (the free one the OS chose for 0). */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once('error', onError)
    server.listen({ port, host: '127.0.0.1' }, () => {
      server.off('error', onError)
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}

/** Stops listening and cuts every HTTP connection still open. Resolves when the listener is closed. */
export function closeListener(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/**
 * Answers a WebSocket upgrade with an HTTP error instead of 101, as a refusing server does:
 * `{"error": text}` (the real server's connect refusals), or an empty body for `null`.
 */
export function rejectUpgrade(socket: Duplex, status: number, error: string | null): void {
  const body = error === null ? '' : JSON.stringify({ error })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  )
}

/** Sends every socket a close frame, waits (bounded by `clock`) for them to close, then cuts the rest. */
export function closeSockets(wss: WebSocketServer, clock: Clock, code: number, reason: string): Promise<void> {
  const open = [...wss.clients]
  if (open.length === 0) return Promise.resolve()
  return new Promise((resolve) => {
    let left = open.length
    const timer = clock.setTimeout(() => {
      for (const socket of open) socket.terminate()
    }, CLOSE_GRACE_MS)
    const closed = (): void => {
      if (--left > 0) return
      clock.clearTimeout(timer)
      resolve()
    }
    for (const socket of open as WebSocket[]) {
      if (socket.readyState === 3) closed()
      else {
        socket.once('close', closed)
        socket.close(code, reason)
      }
    }
  })
}
