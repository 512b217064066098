import { afterEach, describe, expect, it } from 'vitest'
import { FakeClock } from '../support/fakeClock'
import { startHarness, type Harness, type RawClient } from './emulatorSupport'

let joins = 0

async function joinRoom(raw: RawClient): Promise<string> {
  const joinRef = `join-${++joins}`
  await raw.reply(
    raw.push('realtime:room', 'phx_join', { config: { presence: { key: 'k' } } }, { ref: joinRef, join_ref: joinRef }),
  )
  return joinRef
}

const presence = (raw: RawClient, joinRef: string, payload: unknown) =>
  raw.push('realtime:room', 'presence', payload, { join_ref: joinRef })

/** The system error and phx_close of a channel the server shut down. */
async function shutDown(raw: RawClient): Promise<string> {
  const system = await raw.next((m) => m.event === 'system')
  await raw.next((m) => m.event === 'phx_close')
  return (system.payload as { message: string }).message
}

describe('presence: bad input and limits get the real server answers, and the socket stays open', () => {
  let h: Harness
  afterEach(async () => {
    await h.stop()
  })

  it('answers a track payload that is not a map with the server reason, and keeps the channel', async () => {
    h = await startHarness()
    const raw = await h.raw()
    const joinRef = await joinRoom(raw)
    for (const payload of [null, 'online', 3, [1, 2]]) {
      const reply = await raw.reply(presence(raw, joinRef, { event: 'track', payload }))
      expect(reply).toEqual({ status: 'error', response: { reason: 'Presence track payload must be a map' } })
    }
    expect((await raw.reply(presence(raw, joinRef, { event: 'TRACK' }))).status).toBe('ok') // no payload: {}
  })

  it('answers ok to a push without an event, an error to an unknown event, and phx_error to a non-string one', async () => {
    h = await startHarness({ clock: new FakeClock(Date.now()) })
    const raw = await h.raw()
    const joinRef = await joinRoom(raw)
    expect(await raw.reply(presence(raw, joinRef, { payload: { a: 1 } }))).toEqual({ status: 'ok', response: {} })
    expect(await raw.reply(presence(raw, joinRef, 'not an object'))).toEqual({ status: 'ok', response: {} })
    expect(await raw.reply(presence(raw, joinRef, { event: 'wave' }))).toEqual({ status: 'error', response: {} })
    presence(raw, joinRef, { event: 42 })
    const crashed = await raw.next((m) => m.event === 'phx_error')
    expect(crashed).toMatchObject({ topic: 'realtime:room', join_ref: joinRef, ref: joinRef, payload: {} })
    await raw.answered() // the socket is still open
    expect(raw.socket.readyState).toBe(1)
  })

  it('shuts the channel down on the 6th track or untrack in 30 s, and allows 5 again in the next window', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0 })
    const raw = await h.raw()
    const joinRef = await joinRoom(raw)
    for (let n = 1; n <= 5; n++) {
      const event = n % 2 === 0 ? 'untrack' : 'track'
      expect((await raw.reply(presence(raw, joinRef, { event, payload: { n } }))).status).toBe('ok')
    }
    await clock.advance(30_001)
    expect((await raw.reply(presence(raw, joinRef, { event: 'track', payload: { n: 6 } }))).status).toBe('ok')
    for (let n = 7; n <= 10; n++) await raw.reply(presence(raw, joinRef, { event: 'track', payload: { n } }))
    presence(raw, joinRef, { event: 'untrack' })
    expect(await shutDown(raw)).toBe('Client presence rate limit exceeded')
    await raw.answered()
  })

  it('shuts the channel down for a track payload over the 3000 KB limit, and sends no diff', async () => {
    h = await startHarness()
    const watcher = await h.raw()
    await joinRoom(watcher)
    const raw = await h.raw()
    const joinRef = await joinRoom(raw)
    presence(raw, joinRef, { event: 'track', payload: { blob: 'x'.repeat(3_100_000) } })
    expect(await shutDown(raw)).toBe('Track message size exceeded')
    await watcher.answered()
    expect(watcher.received.some((m) => !Buffer.isBuffer(m) && m.event === 'presence_diff')).toBe(false)
  })
})
