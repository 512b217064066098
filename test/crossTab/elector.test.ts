import { describe, expect, it } from 'vitest'
import { Elector, type ElectionView } from '../../src/crossTab/elector'
import type { ByeMessage, HeartbeatMessage } from '../../src/crossTab/protocol'
import { createLogger, silentSink } from '../../src/env/logger'
import { FakeClock } from '../support/fakeClock'

/** Heartbeat-only electors joined by a link the test can cut (a partition) and mend. */
function partitionedPair() {
  const clock = new FakeClock(0)
  const logger = createLogger({
    tag: '[RealtimeCore]',
    sink: silentSink,
    level: 'debug',
    sampleRate: 1,
    random: () => 0,
  })
  let linked = true
  const views: Record<string, ElectionView> = {}
  const electors: Record<string, Elector> = {}
  const make = (tabId: string, other: string) =>
    new Elector({
      clock,
      logger,
      tabId,
      locks: null,
      lockName: 'leader',
      send: (message: HeartbeatMessage | ByeMessage) => {
        if (!linked) return
        clock.setTimeout(
          () => (message.kind === 'heartbeat' ? electors[other]!.heartbeat(message) : electors[other]!.bye(message)),
          0,
        )
      },
      changed: (view) => (views[tabId] = view),
    })
  electors.a = make('a', 'b')
  electors.b = make('b', 'a')
  return { clock, views, electors, cut: () => (linked = false), mend: () => (linked = true) }
}

describe('Elector (heartbeats only)', () => {
  it('lets the lower tab id lead when two tabs start together', async () => {
    const { clock, views, electors } = partitionedPair()
    electors.b!.start(true)
    electors.a!.start(true)
    await clock.advance(2_000)
    expect(views.a).toEqual({ role: 'leader', leaderId: 'a', peers: 1 })
    expect(views.b).toEqual({ role: 'follower', leaderId: 'a', peers: 1 })
  })

  it('ends a split brain after a partition heals: the higher id steps down', async () => {
    const { clock, views, electors, cut, mend } = partitionedPair()
    electors.a!.start(true)
    electors.b!.start(true)
    await clock.advance(2_000)
    cut()
    await clock.advance(5_000)
    expect(views.a?.role).toBe('solo')
    expect(views.b).toEqual({ role: 'solo', leaderId: 'b', peers: 0 })
    mend()
    await clock.advance(2_000)
    expect(views.a).toEqual({ role: 'leader', leaderId: 'a', peers: 1 })
    expect(views.b).toEqual({ role: 'follower', leaderId: 'a', peers: 1 })
  })

  it('sends nothing more once stopped, after its goodbye', async () => {
    const { clock, views, electors } = partitionedPair()
    electors.a!.start(true)
    electors.b!.start(true)
    await clock.advance(2_000)
    electors.a!.stop()
    await clock.advance(10)
    expect(views.b).toEqual({ role: 'solo', leaderId: 'b', peers: 0 })
    await clock.advance(10_000)
    expect(views.b).toEqual({ role: 'solo', leaderId: 'b', peers: 0 })
  })
})
