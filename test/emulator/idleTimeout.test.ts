import { afterEach, describe, expect, it } from 'vitest'
import { FakeClock } from '../support/fakeClock'
import { startHarness, type Harness } from './emulatorSupport'

describe('the websocket timeout: the server closes a socket that sends nothing for 60 s, as Phoenix does', () => {
  let h: Harness
  afterEach(async () => {
    await h.stop()
  })

  it('keeps a socket that sends a frame within every 60 s, and closes it (1000) after 60 s of silence', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock })
    const raw = await h.raw()
    await clock.advance(59_000)
    expect((await raw.reply(raw.push('phoenix', 'heartbeat'))).status).toBe('ok') // still open; the timer starts again
    await clock.advance(59_000)
    expect((await raw.reply(raw.push('realtime:room', 'phx_join', {}))).status).toBe('ok')
    await clock.advance(60_000)
    expect((await raw.closed).code).toBe(1000)
    expect(h.server.joinedTopics()).toEqual([])
  })

  it('takes another timeout, or none (0)', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0 })
    const raw = await h.raw()
    await clock.advance(3_600_000)
    expect((await raw.reply(raw.push('phoenix', 'heartbeat'))).status).toBe('ok')
    await h.stop()
    h = await startHarness({ clock, idleTimeoutMs: 5_000 })
    const short = await h.raw()
    await clock.advance(5_000)
    expect((await short.closed).code).toBe(1000)
    await expect(startHarness({ idleTimeoutMs: -1 })).rejects.toThrow(
      /idleTimeoutMs must be a non-negative number of milliseconds, got -1/,
    )
  })
})
