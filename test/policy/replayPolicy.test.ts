import { describe, expect, it } from 'vitest'
import type { ChannelConfig } from '../../src/events/port'
import { REPLAY_MARGIN_MS, replayEligible, replayOverflowed, replaySince } from '../../src/policy/replayPolicy'

const config = (overrides: Partial<ChannelConfig> = {}): ChannelConfig => ({
  postgres: [],
  broadcast: [],
  private: true,
  broadcastOptions: { self: false, ack: false },
  databaseChanges: ['DELETE', 'INSERT', 'UPDATE'],
  ...overrides,
})

describe('replay policy', () => {
  it.each([
    ['a private topic of Broadcast from Database changes only', config(), true, true],
    ['a subscriber that turned replay off', config(), false, false],
    ['a public topic', config({ private: false }), true, false],
    ['a topic that also has postgres_changes', config({ postgres: [{ event: '*', schema: 'public' }] }), true, false],
    ['a topic that also has client broadcasts', config({ broadcast: ['typing'] }), true, false],
    ['a topic without database changes', config({ databaseChanges: undefined }), true, false],
  ])('repairs the gaps of %s by replay: %s → %s', (_name, channel, wanted, eligible) => {
    expect(replayEligible(channel, wanted)).toBe(eligible)
  })

  it.each([
    [{ lastSeenAt: null, lastJoinedAt: null }, null],
    [{ lastSeenAt: null, lastJoinedAt: 100_000 }, 100_000 - REPLAY_MARGIN_MS],
    [{ lastSeenAt: 150_000, lastJoinedAt: 100_000 }, 150_000 - REPLAY_MARGIN_MS],
    [{ lastSeenAt: 50_000, lastJoinedAt: 100_000 }, 100_000 - REPLAY_MARGIN_MS],
    [{ lastSeenAt: 1_000, lastJoinedAt: 2_000 }, 0],
  ])('starts the replay of %j at %s', (memory, since) => {
    expect(replaySince(memory)).toBe(since)
  })

  it('calls a replay that returns as many messages as its limit an overflow, and one below it complete', () => {
    expect([replayOverflowed(24, 25), replayOverflowed(25, 25)]).toEqual([false, true])
  })
})
