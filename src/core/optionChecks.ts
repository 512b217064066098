/** Longest timer a host accepts. @internal */
export const MAX_TIMER_MS = 2_147_483_647

/** Throws the TypeError of a bad option: `createRealtime(): <name> <problem>, got <value>`. @internal */
export function fail(name: string, problem: string, value: unknown): never {
  let shown: string
  try {
    shown = JSON.stringify(value) ?? String(value)
  } catch {
    shown = String(value)
  }
  throw new TypeError(`createRealtime(): ${name} ${problem}, got ${shown}`)
}

/** A number option in range, or `fallback` when it is not given. @internal */
export function number(
  name: string,
  value: unknown,
  fallback: number,
  { min = 0, integer = false, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, 'must be a finite number', value)
  if (integer && !Number.isInteger(value)) fail(name, 'must be an integer', value)
  if (value < min) fail(name, `must be at least ${min}`, value)
  if (value > max) fail(name, `must be at most ${max}`, value)
  return value
}

/** An option group's fields (`{}` when the group is not given). @internal */
export function object(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(name, 'must be an object', value)
  return value as Record<string, unknown>
}
