/** A Supabase plan whose Realtime quotas {@link PLAN_LIMITS} holds. */
export type PlanName = 'free' | 'pro' | 'team'

/**
 * Supabase Realtime's quotas: channels one connection may join, and the joins and messages per
 * second the whole project may make (the server averages them over up to a minute).
 */
export interface PlanLimits {
  /** Channels one WebSocket connection may have joined at once (every plan: 100). */
  channelsPerConnection: number
  /** Channel joins per second, for the whole project. */
  joinsPerSecond: number
  /** Messages per second (broadcasts sent and received), for the whole project. */
  messagesPerSecond: number
}

/**
 * The published quotas of each plan (Free 100/100, Pro 500/500, Team 2500/2500 joins/messages per
 * second); frozen. The `limits` option of `createRealtime` starts from one of them.
 *
 * @example
 * // At most 5 joins per second from each client of a Free project: a share of the project's 100.
 * const joinShare = 5 / PLAN_LIMITS.free.joinsPerSecond // 0.05
 * createRealtime({ client, api, routes, limits: { plan: 'free', joinShare } })
 */
export const PLAN_LIMITS: Readonly<Record<PlanName, Readonly<PlanLimits>>> = Object.freeze({
  // Frozen, entries too: a caller's write must not change every later createRealtime's limits.
  free: Object.freeze({ channelsPerConnection: 100, joinsPerSecond: 100, messagesPerSecond: 100 }),
  pro: Object.freeze({ channelsPerConnection: 100, joinsPerSecond: 500, messagesPerSecond: 500 }),
  team: Object.freeze({ channelsPerConnection: 100, joinsPerSecond: 2500, messagesPerSecond: 2500 }),
})

const LIMIT_FIELDS = ['channelsPerConnection', 'joinsPerSecond', 'messagesPerSecond'] as const

/** A plan by name, or a plan with some of its numbers replaced (`plan` defaults to `'pro'`). */
export type PlanLimitsOption = PlanName | (Partial<PlanLimits> & { plan?: PlanName })

/**
 * The limits an option names, or the reason it is not valid (naming `optionName` and the field).
 * Numbers must be positive integers; `undefined` means the Pro plan.
 */
export function resolvePlanLimits(
  option: unknown,
  optionName: string,
  otherKeys: readonly string[] = [],
): { ok: true; limits: PlanLimits } | { ok: false; reason: string } {
  if (option === undefined) return { ok: true, limits: { ...PLAN_LIMITS.pro } }
  if (typeof option === 'string') {
    if (Object.hasOwn(PLAN_LIMITS, option)) return { ok: true, limits: { ...PLAN_LIMITS[option as PlanName] } }
    return { ok: false, reason: `${optionName} must be 'free', 'pro' or 'team', got ${JSON.stringify(option)}` }
  }
  if (option === null || typeof option !== 'object' || Array.isArray(option))
    return { ok: false, reason: `${optionName} must be a plan name or an object of limits, got ${describe(option)}` }
  const given = option as Record<string, unknown>
  const known = ['plan', ...LIMIT_FIELDS, ...otherKeys]
  const unknown = Object.keys(given).find((key) => !known.includes(key))
  if (unknown !== undefined)
    return { ok: false, reason: `${optionName}.${unknown} is not a limit; use one of ${known.join(', ')}` }
  const plan = given.plan ?? 'pro'
  if (typeof plan !== 'string' || !Object.hasOwn(PLAN_LIMITS, plan))
    return { ok: false, reason: `${optionName}.plan must be 'free', 'pro' or 'team', got ${describe(plan)}` }
  const limits: PlanLimits = { ...PLAN_LIMITS[plan as PlanName] }
  for (const field of LIMIT_FIELDS) {
    const value = given[field]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      return { ok: false, reason: `${optionName}.${field} must be a positive integer, got ${describe(value)}` }
    limits[field] = value
  }
  return { ok: true, limits }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null || Array.isArray(value)) return value === null ? 'null' : 'an array'
  return typeof value === 'object' ? 'an object' : String(value)
}
