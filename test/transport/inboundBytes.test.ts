import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { watchInboundBytes } from '../../src/transport/inboundBytes'

describe('watchInboundBytes', () => {
  it('reports bytes of a ws connection as they arrive, until detached', () => {
    const stream = new EventEmitter()
    let heard = 0
    const detach = watchInboundBytes({ conn: { _socket: stream } }, () => (heard += 1))
    stream.emit('data', Buffer.from('half a fra'))
    stream.emit('data', Buffer.from('me'))
    expect(heard).toBe(2)
    detach()
    stream.emit('data', Buffer.from('more'))
    expect(heard).toBe(2)
  })

  it('does nothing where the WebSocket shows no stream (browsers, undici) or there is no connection', () => {
    let heard = 0
    for (const conn of [undefined, null, {}, { _socket: {} }, { _socket: { on: 'not a function' } }]) {
      const detach = watchInboundBytes({ conn }, () => (heard += 1))
      expect(() => detach()).not.toThrow()
    }
    expect(heard).toBe(0)
  })
})
