import { DEFAULT_JOIN_SHARE, type CapacityLimits } from '../policy/capacity'
import { resolvePlanLimits } from '../policy/planLimits'

/**
 * The `limits` option resolved (default the Pro plan, join share 0.02); a TypeError naming the
 * option and the field when it is not valid.
 */
export function resolveLimits(option: unknown): CapacityLimits {
  const resolved = resolvePlanLimits(option, 'limits', ['joinShare'])
  if (!resolved.ok) throw new TypeError(`createRealtime(): ${resolved.reason}`)
  const share =
    typeof option === 'object' && option !== null ? (option as { joinShare?: unknown }).joinShare : undefined
  if (share !== undefined && (typeof share !== 'number' || !Number.isFinite(share) || share <= 0 || share > 1))
    throw new TypeError(
      `createRealtime(): limits.joinShare must be a number in (0, 1], the fraction of the project's joins per second this client may use, got ${String(share)}`,
    )
  return { ...resolved.limits, joinShare: share ?? DEFAULT_JOIN_SHARE }
}
