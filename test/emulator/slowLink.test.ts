import type { Socket } from 'node:net'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import type { PhoenixMessage } from '../../src/testing/emulator/protocol'
import { paceSocket } from '../../src/testing/emulator/slowLink'
import { FakeClock } from '../support/fakeClock'
import { waitFor } from '../support/waitFor'
import { connectRaw, startHarness, type Harness, type RawClient } from './emulatorSupport'

const RATE = 100
const BIG = 'x'.repeat(400)

/** Bytes the client's TCP socket has read (the upgrade answer included). */
const bytesRead = (raw: RawClient): number => (raw.socket as unknown as { _socket: Socket })._socket.bytesRead

const isMessage = (frame: PhoenixMessage | Buffer): frame is PhoenixMessage => !Buffer.isBuffer(frame)

/** A broadcast to itself (large) and then a heartbeat, with fixed refs so that every round has the same bytes. */
function pushRound(raw: RawClient, round: number): void {
  raw.push(
    'realtime:room',
    'broadcast',
    { type: 'broadcast', event: 'big', payload: { round, body: BIG } },
    { ref: null },
  )
  raw.push('phoenix', 'heartbeat', {}, { ref: `hb${round}` })
}

const heartbeatReplied = (raw: RawClient, round: number): boolean =>
  raw.received.some((m) => isMessage(m) && m.event === 'phx_reply' && m.ref === `hb${round}`)

describe('faults.slowLink: server→client realtime bytes leave at the given rate on the emulator clock', () => {
  let h: Harness
  afterEach(async () => {
    h.server.faults.reset() // close frames would wait behind the queue on a clock that stands still
    await h.stop()
  })

  /** A raw client joined on `room` with self-broadcasts on, and the bytes one round (broadcast + heartbeat reply) costs on the wire. */
  async function joinedClient(clock: FakeClock): Promise<{ raw: RawClient; roundBytes: number }> {
    h = await startHarness({ clock })
    const raw = await h.raw()
    await raw.reply(raw.push('realtime:room', 'phx_join', { config: { broadcast: { self: true } } }))
    const before = bytesRead(raw)
    pushRound(raw, 0)
    await waitFor(() => heartbeatReplied(raw, 0), { message: 'the fast round answered' })
    return { raw, roundBytes: bytesRead(raw) - before }
  }

  /** Waits until the server has queued something on a paced socket (its release timer is set). */
  const queued = (clock: FakeClock, timersBefore: number) =>
    waitFor(() => clock.pendingTimers() > timersBefore, { message: 'the server queued the frames' })

  it('a heartbeat reply waits behind the frame ahead of it: the client has exactly rate × elapsed bytes until the round is through', async () => {
    const clock = new FakeClock(Date.now())
    const { raw, roundBytes } = await joinedClient(clock)
    const timers = clock.pendingTimers()
    h.server.faults.slowLink({ bytesPerSecond: RATE, ms: 60_000 })
    const base = bytesRead(raw)
    pushRound(raw, 1)
    await queued(clock, timers)
    let elapsed = 0
    while (elapsed * RATE < roundBytes * 1000) {
      await clock.advance(100)
      elapsed += 100
      const expected = Math.min(roundBytes, Math.floor((RATE * elapsed) / 1000))
      await waitFor(() => bytesRead(raw) - base === expected, {
        message: `${expected} bytes after ${elapsed} ms (saw ${bytesRead(raw) - base})`,
      })
      if (expected < roundBytes) expect(heartbeatReplied(raw, 1)).toBe(false)
    }
    await waitFor(() => heartbeatReplied(raw, 1), { message: 'the heartbeat reply, last of the round' })
    const frames = raw.received.filter(isMessage).map((m) => m.event)
    expect(frames.slice(-2)).toEqual(['broadcast', 'phx_reply'])
    expect(elapsed).toBeGreaterThanOrEqual(Math.floor((roundBytes * 1000) / RATE))
  })

  it('heals by itself after ms: what is still queued leaves at once and later frames pass straight through', async () => {
    const clock = new FakeClock(Date.now())
    const { raw, roundBytes } = await joinedClient(clock)
    const timers = clock.pendingTimers()
    h.server.faults.slowLink({ bytesPerSecond: RATE, ms: 1_000 })
    const base = bytesRead(raw)
    pushRound(raw, 1)
    await queued(clock, timers)
    await clock.advance(500)
    await waitFor(() => bytesRead(raw) - base === RATE / 2)
    await clock.advance(550)
    await waitFor(() => heartbeatReplied(raw, 1), { message: 'the queue flushed when the fault healed' })
    expect(bytesRead(raw) - base).toBe(roundBytes)
    pushRound(raw, 2)
    await waitFor(() => heartbeatReplied(raw, 2), { message: 'a round after healing, with the clock still' })
  })

  it('reset() ends it at once, flushing the queue', async () => {
    const clock = new FakeClock(Date.now())
    const { raw } = await joinedClient(clock)
    const timers = clock.pendingTimers()
    h.server.faults.slowLink({ bytesPerSecond: RATE, ms: 60_000 })
    pushRound(raw, 1)
    await queued(clock, timers)
    h.server.faults.reset()
    await clock.advance(50)
    await waitFor(() => heartbeatReplied(raw, 1))
    pushRound(raw, 2)
    await waitFor(() => heartbeatReplied(raw, 2))
  })

  it('HTTP requests are answered while the link is slow (the clock stands still: a paced answer would never come)', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock })
    h.server.faults.slowLink({ bytesPerSecond: 1, ms: 60_000 })
    const response = await fetch(`${h.server.url}/rest/v1/anything`)
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ message: 'no route for GET /rest/v1/anything' })
  })

  it('a socket opened during the fault gets its upgrade answer at the slow rate too, then works', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock })
    const timers = clock.pendingTimers()
    h.server.faults.slowLink({ bytesPerSecond: RATE, ms: 60_000 })
    let opened = false
    const opening = connectRaw(h.server.url).then((raw) => ((opened = true), raw))
    await queued(clock, timers)
    // The 101 answer is about 130 bytes: not through after 1 s, through after 2 s.
    await clock.advance(1_000)
    expect(opened).toBe(false)
    await clock.advance(1_000)
    const raw = await opening
    h.server.faults.reset()
    expect((await raw.reply(raw.push('phoenix', 'heartbeat'))).status).toBe('ok')
    raw.socket.terminate()
  })

  it('bad options throw a TypeError naming the argument', async () => {
    h = await startHarness()
    const slowLink = h.server.faults.slowLink as (options: unknown) => void
    expect(() => slowLink(undefined)).toThrow(/faults\.slowLink: options/)
    expect(() => slowLink(null)).toThrow(TypeError)
    expect(() => slowLink({ ms: 1_000 })).toThrow(/bytesPerSecond/)
    for (const bytesPerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '100']) {
      expect(() => slowLink({ bytesPerSecond, ms: 1_000 })).toThrow(
        new TypeError(
          `faults.slowLink: bytesPerSecond must be a positive finite number, got ${String(bytesPerSecond)}`,
        ),
      )
    }
    for (const ms of [undefined, -1, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
      expect(() => slowLink({ bytesPerSecond: 100, ms })).toThrow(
        new TypeError(`faults.slowLink: ms must be a non-negative finite number of milliseconds, got ${String(ms)}`),
      )
    }
  })
})

describe('paceSocket on a bare stream', () => {
  /** A stream whose written bytes are collected, paced at `rate` while `on` says so. */
  function pacedStream(clock: FakeClock, link: { rate: number | null }) {
    const stream = new PassThrough()
    const out: Buffer[] = []
    stream.on('data', (chunk: Buffer) => out.push(chunk))
    paceSocket(stream, () => link.rate, clock)
    return { stream, text: () => Buffer.concat(out).toString('utf8') }
  }
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

  it('keeps write order, calls each write back once its last byte left, and holds end() until the queue is empty', async () => {
    const clock = new FakeClock()
    const link = { rate: 20 as number | null }
    const { stream, text } = pacedStream(clock, link)
    const done: string[] = []
    stream.write('first.', () => done.push('first'))
    stream.write(Buffer.from('second'), () => done.push('second'))
    let finished = false
    stream.on('finish', () => (finished = true))
    stream.end()
    await clock.advance(250)
    await turn()
    expect(text()).toBe('first')
    expect(done).toEqual([])
    await clock.advance(50)
    await turn()
    expect(text()).toBe('first.')
    expect(done).toEqual(['first'])
    await clock.advance(300)
    await turn()
    expect(text()).toBe('first.second')
    expect(done).toEqual(['first', 'second'])
    expect(finished).toBe(true)
    expect(clock.pendingTimers()).toBe(0)
  })

  it('writes pass straight through while the link is fast, and destroy() discards the queue and its timer', async () => {
    const clock = new FakeClock()
    const link = { rate: null as number | null }
    const { stream, text } = pacedStream(clock, link)
    stream.write('fast')
    await turn()
    expect(text()).toBe('fast')
    link.rate = 1
    stream.write('slow')
    expect(clock.pendingTimers()).toBe(1)
    stream.destroy()
    await turn()
    expect(clock.pendingTimers()).toBe(0)
    expect(text()).toBe('fast')
  })
})
