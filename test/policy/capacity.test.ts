import { describe, expect, it } from 'vitest'
import { joinRate, rateLimitDelay, reserveJoin, type JoinBucket } from '../../src/policy/capacity'
import { PLAN_LIMITS, resolvePlanLimits } from '../../src/policy/planLimits'

describe('the plans, as Supabase publishes them', () => {
  it.each([
    ['free', 100, 100, 100],
    ['pro', 100, 500, 500],
    ['team', 100, 2500, 2500],
  ] as const)('%s: %i channels per connection, %i joins/s, %i messages/s', (plan, channels, joins, messages) => {
    expect(PLAN_LIMITS[plan]).toEqual({
      channelsPerConnection: channels,
      joinsPerSecond: joins,
      messagesPerSecond: messages,
    })
  })
})

describe('PLAN_LIMITS', () => {
  it('is frozen, its plans too: a write cannot change the limits every later instance starts from', () => {
    expect(Object.isFrozen(PLAN_LIMITS)).toBe(true)
    for (const plan of ['free', 'pro', 'team'] as const) expect(Object.isFrozen(PLAN_LIMITS[plan])).toBe(true)
    expect(() => {
      ;(PLAN_LIMITS.pro as { joinsPerSecond: number }).joinsPerSecond = 1
    }).toThrow(TypeError)
    expect(resolvePlanLimits('pro', 'limits')).toEqual({
      ok: true,
      limits: expect.objectContaining({ joinsPerSecond: 500 }),
    })
  })
})

describe('resolvePlanLimits', () => {
  it.each([
    ['nothing: the Pro plan', undefined, PLAN_LIMITS.pro],
    ['a plan name', 'team', PLAN_LIMITS.team],
    ['numbers over the Pro plan', { channelsPerConnection: 10 }, { ...PLAN_LIMITS.pro, channelsPerConnection: 10 }],
    ['numbers over a named plan', { plan: 'free', joinsPerSecond: 7 }, { ...PLAN_LIMITS.free, joinsPerSecond: 7 }],
  ])('takes %s', (_name, option, limits) => {
    expect(resolvePlanLimits(option, 'limits')).toEqual({ ok: true, limits })
  })

  it.each([
    ['an unknown plan', 'gold', `limits must be 'free', 'pro' or 'team', got "gold"`],
    ['an unknown plan in an object', { plan: 'gold' }, `limits.plan must be 'free', 'pro' or 'team', got "gold"`],
    ['a name only the prototype has', 'toString', `limits must be 'free', 'pro' or 'team', got "toString"`],
    ['such a name in an object', { plan: 'constructor' }, `limits.plan must be 'free', 'pro' or 'team'`],
    ['zero', { messagesPerSecond: 0 }, 'limits.messagesPerSecond must be a positive integer, got 0'],
    ['a fraction', { channelsPerConnection: 2.5 }, 'limits.channelsPerConnection must be a positive integer, got 2.5'],
    ['a string number', { joinsPerSecond: '5' }, 'limits.joinsPerSecond must be a positive integer, got "5"'],
    ['a misspelt key', { channels: 5 }, 'limits.channels is not a limit; use one of plan, channelsPerConnection'],
    ['null', null, 'limits must be a plan name or an object of limits, got null'],
    ['an array', ['pro'], 'limits must be a plan name or an object of limits, got an array'],
  ])('refuses %s, naming the option and the field', (_name, option, reason) => {
    const result = resolvePlanLimits(option, 'limits')
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.reason).toContain(reason)
  })
})

describe("a client's share of the joins per second", () => {
  it.each([
    [
      { joinsPerSecond: 500, joinShare: 0.02 },
      { perSecond: 10, burst: 10 },
    ],
    [
      { joinsPerSecond: 100, joinShare: 0.02 },
      { perSecond: 2, burst: 2 },
    ],
    [
      { joinsPerSecond: 10, joinShare: 0.02 },
      { perSecond: 0.2, burst: 1 },
    ],
  ])('%j joins at %j', (limits, rate) => {
    expect(joinRate(limits)).toEqual(rate)
  })
})

describe('reserveJoin: a token bucket on the injected clock', () => {
  const rate = { perSecond: 10, burst: 3 }
  const reserveAll = (count: number, now: number, start: JoinBucket = { tokens: 0, updatedAt: null }) => {
    let bucket = start
    const waits: number[] = []
    for (let i = 0; i < count; i++) {
      const next = reserveJoin(bucket, now, rate)
      bucket = next.bucket
      waits.push(next.waitMs)
    }
    return { bucket, waits }
  }

  it('lets a burst through at once, then queues each join a token later', () => {
    expect(reserveAll(6, 0).waits).toEqual([0, 0, 0, 100, 200, 300])
  })

  it('refills with time, never above the burst', () => {
    const { bucket } = reserveAll(3, 0)
    expect(reserveJoin(bucket, 150, rate).waitMs).toBe(0) // 1.5 tokens back
    expect(reserveAll(4, 60_000, bucket).waits).toEqual([0, 0, 0, 100]) // a minute later: still only 3
  })

  it('keeps a clock that went backwards from minting tokens', () => {
    const { bucket } = reserveAll(3, 1_000)
    expect(reserveJoin(bucket, 0, rate).waitMs).toBe(100)
  })
})

describe('rateLimitDelay: long, growing, jittered waits after a rate limit', () => {
  it.each([
    [0, 0, 15_000],
    [0, 0.5, 30_000],
    [1, 0.5, 60_000],
    [3, 0.5, 240_000],
    [4, 0.5, 300_000],
    [20, 0.999, 449_700],
  ])('refusal %i with random %d waits %i ms', (refusals, draw, delay) => {
    expect(rateLimitDelay(refusals, () => draw)).toBe(delay)
  })

  it('clamps a random source that returns nonsense', () => {
    expect(rateLimitDelay(0, () => Number.NaN)).toBe(15_000)
    expect(rateLimitDelay(0, () => 7)).toBe(45_000)
  })
})
