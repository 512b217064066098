import { describe, expect, it } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import { createHarness } from '../support/harness'
import { FakeTransport } from '../support/fakeTransport'
import { createTabs } from './support/tabsHarness'

describe('crossTab options', () => {
  it('rejects a wrong option with a TypeError naming it', () => {
    const make = (crossTab: unknown) => () =>
      createRealtime({ transport: new FakeTransport(), crossTab: crossTab as never })
    expect(make('yes')).toThrow(new TypeError('createRealtime(): crossTab must be an object, got "yes"'))
    expect(make({ enabled: 'yes' })).toThrow(/crossTab\.enabled must be a boolean/)
    expect(make({ channelName: '' })).toThrow(/crossTab\.channelName must be a non-empty string/)
    expect(make({ channelName: 'x'.repeat(257) })).toThrow(/crossTab\.channelName/)
  })

  it('defaults to on, on a channel named after the reducerPath, and derives the lock name from it', () => {
    expect(createRealtime({ transport: new FakeTransport() }).options.crossTab).toEqual({
      enabled: true,
      channelName: 'rtk-supabase-realtime:realtime',
    })
    expect(createRealtime({ transport: new FakeTransport(), reducerPath: 'live' }).options.crossTab.channelName).toBe(
      'rtk-supabase-realtime:live',
    )
  })

  it("stays 'off' where there is no BroadcastChannel, and polls as before", () => {
    const harness = createHarness()
    expect(harness.realtime.selectors.selectCrossTab(harness.store.getState()).role).toBe('off')
    harness.stop()
  })

  it('keeps apart the tabs of two apps on different channel names', async () => {
    const world = createTabs()
    const a = world.open('a')
    const b = world.open('b', { crossTab: { channelName: 'another-app' } })
    await world.clock.advance(3_000)
    expect(world.roles()).toEqual(['solo', 'solo'])
    expect(a.crossTab().leaderId).not.toBe(b.crossTab().leaderId)
    world.stopAll()
  })

  it("is 'off' when disabled, and never touches the channel", async () => {
    const world = createTabs()
    const a = world.open('a', { crossTab: { enabled: false } })
    await world.clock.advance(3_000)
    expect(a.crossTab()).toMatchObject({ role: 'off', tabId: null })
    expect(a.tab.posted).toEqual([])
    world.stopAll()
  })
})
