import { afterEach, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from '../support/harness'

let harness: Harness | undefined
afterEach(() => harness?.stop())

const spec = (topic: string, table = 'generations') => ({
  topic,
  postgres: [{ event: '*' as const, schema: 'public', table }],
  tags: [{ type: 'UnifiedGenerations', id: topic }],
})

describe('the registry saga', () => {
  it('connects and joins once for the first subscriber of a topic', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(spec('project:1'))
    await clock.advance(100)
    expect(transport.connectAttempts).toBe(1)
    expect(transport.joins('project:1')).toBe(1)
    expect(harness.state().connection).toBe('connected')
    expect(harness.state().channels['project:1']).toMatchObject({
      state: 'subscribed',
      subscriberCount: 1,
      resumed: true,
    })
  })

  it('shares one channel between subscribers of the same spec and keeps it until the last leaves', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const a = realtime.subscribe(spec('project:1'))
    const b = realtime.subscribe(spec('project:1'))
    await clock.advance(100)
    expect(transport.joins('project:1')).toBe(1)
    expect(transport.channelTopics()).toEqual(['project:1'])
    a.unsubscribe()
    a.unsubscribe()
    await clock.advance(5_000)
    expect(harness.state().channels['project:1']?.subscriberCount).toBe(1)
    expect(transport.channelTopics()).toEqual(['project:1'])
    b.unsubscribe()
    await clock.advance(999)
    expect(transport.channelTopics()).toEqual(['project:1'])
    await clock.advance(2)
    expect(transport.channelTopics()).toEqual([])
    expect(harness.state().channels['project:1']).toBeUndefined()
    expect(harness.state().connection).toBe('idle')
  })

  it('costs one join for a StrictMode mount, unmount, mount', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    const first = realtime.subscribe(spec('project:1'))
    first.unsubscribe()
    realtime.subscribe(spec('project:1'))
    await clock.advance(3_000)
    expect(transport.joins('project:1')).toBe(1)
    expect(harness.state().channels['project:1']?.subscriberCount).toBe(1)
  })

  it('joins once with the union of bindings after a mount storm', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    for (const table of ['generations', 'shots', 'shot_generations', 'generations'])
      realtime.subscribe(spec('project:1', table))
    await clock.advance(100)
    expect(transport.joins('project:1')).toBe(1)
    expect(transport.joinedConfigs[0]?.config.postgres.map((binding) => binding.table)).toEqual([
      'generations',
      'shot_generations',
      'shots',
    ])
  })

  it('recreates the channel once when a new binding arrives on a joined topic', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(spec('project:1'))
    await clock.advance(100)
    realtime.subscribe(spec('project:1', 'shots'))
    realtime.subscribe(spec('project:1', 'tasks'))
    await clock.advance(100)
    expect(transport.joins('project:1')).toBe(2)
    expect(transport.channelTopics()).toEqual(['project:1'])
    expect(harness.state().channels['project:1']).toMatchObject({ state: 'subscribed', resumed: false })
  })

  it('takes up subscriptions made before start()', async () => {
    harness = createHarness({}, { start: false })
    const { realtime, clock, transport, store } = harness
    realtime.subscribe(spec('project:1'))
    harness.stop = realtime.start(store)
    await clock.advance(100)
    expect(transport.joins('project:1')).toBe(1)
    expect(harness.state().channels['project:1']?.subscriberCount).toBe(1)
  })

  it('leaves no timers, channels or listeners behind after stop()', async () => {
    harness = createHarness()
    const { realtime, clock, transport } = harness
    realtime.subscribe(spec('project:1'))
    realtime.subscribe(spec('project:2'))
    await clock.advance(100)
    harness.stop()
    await clock.advance(0)
    expect(transport.channelTopics()).toEqual([])
    expect(transport.isConnected()).toBe(false)
    expect(clock.pendingTimers()).toBe(0)
    expect(transport.listenerCount()).toEqual({ socket: 0, auth: 0 })
  })

  it('rejects a malformed spec with the name of the field', () => {
    harness = createHarness()
    expect(() => harness!.realtime.subscribe({ topic: '' })).toThrow(/topic/)
    expect(() =>
      harness!.realtime.subscribe({ topic: 'x', postgres: [{ event: 'UPSERT' as never, schema: 'public' }] }),
    ).toThrow(/postgres\[0\]\.event/)
    expect(() =>
      harness!.realtime.subscribe({
        topic: 'x',
        postgres: [{ event: '*', schema: 'public', table: 't', filter: 'id==1' }],
      }),
    ).toThrow(/filter/)
  })
})
