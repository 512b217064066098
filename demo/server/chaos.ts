import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RealtimeEmulator } from '../../src/testing/index.ts'

/** The faults the demo's chaos strip can inject, by name. */
export const CHAOS_ACTIONS = ['drop', 'blackhole-on', 'blackhole-off', 'expire-tokens', 'reset'] as const
export type ChaosAction = (typeof CHAOS_ACTIONS)[number]

function apply(emulator: RealtimeEmulator, action: ChaosAction): void {
  switch (action) {
    case 'drop':
      return emulator.faults.dropAllSockets()
    case 'blackhole-on':
      return emulator.faults.blackhole(true)
    case 'blackhole-off':
      return emulator.faults.blackhole(false)
    case 'expire-tokens':
      return emulator.faults.expireTokens()
    case 'reset':
      return emulator.faults.reset()
  }
}

/** The faults in force that the chaos strip shows (the others act once). */
export interface ChaosState {
  blackhole: boolean
}

/**
 * `POST /__demo/chaos/<action>` injects a fault into the emulator and `GET /__demo/chaos` reads the
 * faults in force (both answer with the `ChaosState`); `GET /__demo/token` signs a fresh user token
 * (the app's `accessToken` source, so an expired token is replaced on the next join).
 */
export function demoMiddleware(emulator: RealtimeEmulator) {
  const state: ChaosState = { blackhole: false }
  const reply = (res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    res.end(JSON.stringify(state))
  }
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const url = new URL(req.url ?? '/', 'http://demo.invalid')
    if (req.method === 'GET' && url.pathname === '/__demo/chaos') return reply(res)
    if (req.method === 'GET' && url.pathname === '/__demo/token') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' })
      // A fresh jti per token: two tokens signed in the same second must not be the same string
      // (an expired one would otherwise come back as the "fresh" one).
      res.end(emulator.signToken({ sub: 'demo-user', jti: randomUUID() }))
      return
    }
    const match = /^\/__demo\/chaos\/([a-z-]+)$/.exec(url.pathname)
    if (!match) return next()
    const action = match[1] as ChaosAction
    if (req.method !== 'POST' || !CHAOS_ACTIONS.includes(action)) {
      res.writeHead(req.method !== 'POST' ? 405 : 404, { 'Content-Type': 'application/json' })
      res.end(
        JSON.stringify({ error: `unknown chaos action ${JSON.stringify(action)}; one of ${CHAOS_ACTIONS.join(', ')}` }),
      )
      return
    }
    apply(emulator, action)
    if (action === 'blackhole-on' || action === 'blackhole-off') state.blackhole = action === 'blackhole-on'
    if (action === 'reset') state.blackhole = false
    reply(res)
  }
}
