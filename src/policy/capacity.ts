import type { Random } from '../env/random'
import type { PlanLimits, PlanName } from './planLimits'

/**
 * The plan limits one client keeps to: at most `channelsPerConnection` channels, and joins at
 * `joinsPerSecond × joinShare` per second (bursts of one second's worth, at least one join).
 */
export interface CapacityLimits extends PlanLimits {
  /**
   * The fraction of the project's joins per second one client may use. The server averages the
   * project's joins over up to a minute; N clients that reconnect together stay within it while
   * N × joinShare ≤ 1. Default 0.02 (50 clients' worth: Free 2, Pro 10, Team 50 joins/s each).
   */
  joinShare: number
}

export const DEFAULT_JOIN_SHARE = 0.02

/** A token bucket of joins: tokens left (negative: joins reserved ahead) as of `updatedAt`. */
export interface JoinBucket {
  tokens: number
  updatedAt: number | null
}

/** This client's joins per second and its burst. */
export function joinRate(limits: Pick<CapacityLimits, 'joinsPerSecond' | 'joinShare'>): {
  perSecond: number
  burst: number
} {
  const perSecond = Math.max(limits.joinsPerSecond * limits.joinShare, Number.MIN_VALUE)
  return { perSecond, burst: Math.max(1, Math.floor(perSecond)) }
}

/**
 * Reserves the next join: the bucket refills at `perSecond` up to `burst`; a join takes one
 * token, and when none is left it waits until its token has refilled (later joins queue
 * behind it). Pure: returns the new bucket and how long this join waits.
 *
 * @example
 * reserveJoin({ tokens: 0, updatedAt: 0 }, 0, { perSecond: 10, burst: 10 }).waitMs // 100
 */
export function reserveJoin(
  bucket: JoinBucket,
  now: number,
  rate: { perSecond: number; burst: number },
): { bucket: JoinBucket; waitMs: number } {
  const elapsed = bucket.updatedAt === null ? Infinity : Math.max(0, now - bucket.updatedAt)
  const refilled = Math.min(rate.burst, bucket.tokens + (elapsed * rate.perSecond) / 1000)
  const tokens = refilled - 1
  const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens / rate.perSecond) * 1000)
  return { bucket: { tokens, updatedAt: now }, waitMs }
}

/** The long waits after the server's rate limits: 30 s, doubling per refusal in a row, at most 5 min. */
const REFUSAL_BASE_MS = 30_000
const REFUSAL_MAX_MS = 300_000

/**
 * How long a topic waits after the server refused it for a rate limit (the `refusals`-th in a
 * row, from 0): 30 s doubling to at most 5 min, times a jitter in [0.5, 1.5) from `random`, so
 * that clients refused together never return together. The server averages over up to a
 * minute, so anything shorter would only be refused again.
 *
 * @example
 * rateLimitDelay(0, () => 0.5) // 30000
 */
export function rateLimitDelay(refusals: number, random: Random): number {
  const draw = random()
  const unit = Number.isFinite(draw) ? Math.min(1, Math.max(0, draw)) : 0
  const base = Math.min(REFUSAL_MAX_MS, REFUSAL_BASE_MS * 2 ** Math.max(0, refusals))
  return Math.round(base * (0.5 + unit))
}

/**
 * The `limits` option of `createRealtime`: a plan name, or a plan (default `'pro'`) with some
 * of its numbers, or the join share, replaced.
 */
export type LimitsOption = PlanName | (Partial<CapacityLimits> & { plan?: PlanName })
