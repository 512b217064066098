import type { IncomingMessage, ServerResponse } from 'node:http'
import { thrownKind, type Logger } from '../../../env/logger'
import { handleRestBroadcast, json, type RestBroadcastDeps } from './rest'

/** Where {@link answerRequest} sends what is not a preflight. @internal */
export interface Routes {
  restDeps: RestBroadcastDeps
  /** Other HTTP routes (PostgREST at /rest/v1): resolves true when it answered the request. */
  httpHandler: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined
}

/**
 * Answers an HTTP request: CORS preflight, then the REST broadcast endpoints, then `httpHandler`,
 * else 404.
 */
async function answerRequest(req: IncomingMessage, res: ServerResponse, routes: Routes): Promise<void> {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, HEAD, POST, PATCH, PUT, DELETE, OPTIONS',
      'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
      'Access-Control-Max-Age': '600',
    })
    return void res.end()
  }
  res.setHeader('Access-Control-Allow-Origin', '*')
  if (await handleRestBroadcast(req, res, routes.restDeps)) return
  if (routes.httpHandler && (await routes.httpHandler(req, res))) return
  json(res, 404, {
    message: `no route for ${req.method ?? 'GET'} ${new URL(req.url ?? '/', 'http://127.0.0.1').pathname}`,
  })
}

/** @internal Answers a request; an answer that fails is logged and becomes a 500 (or a reset once answering). */
export function answerOrFail(req: IncomingMessage, res: ServerResponse, routes: Routes, logger: Logger): void {
  answerRequest(req, res, routes).catch((error: unknown) => {
    logger.error('request failed', { error: thrownKind(error) })
    if (!res.headersSent) json(res, 500, { message: 'emulator error' })
    else res.destroy()
  })
}
