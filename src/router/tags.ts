import { tagKey, type FullTag } from '../rtkq/rtkqApi'
import type { TagDescription } from '../subscription/spec'

export type { FullTag }
// One key for the router and the slice (the slice may not import the router).
export { tagKey }

/** Whether two tag ids are the same for RTK Query (`7` and `'7'` are). */
export function sameTagId(a: string | number, b: string | number): boolean {
  return String(a) === String(b)
}

/**
 * Normalises what a route returned. Anything that is not a tag is reported (by returning
 * null) instead of reaching RTK Query, which would throw on it later, far from the cause.
 */
export function toFullTag(value: unknown): FullTag | null {
  if (typeof value === 'string') return value === '' ? null : { type: value }
  if (typeof value !== 'object' || value === null) return null
  const { type, id } = value as { type?: unknown; id?: unknown }
  if (typeof type !== 'string' || type === '') return null
  if (id === undefined) return { type }
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return { type, id }
  return null
}

/** The full tags of a subscription spec's `tags`. */
export function fullTagsOf(tags: ReadonlyArray<TagDescription> | undefined): FullTag[] {
  const result: FullTag[] = []
  for (const tag of tags ?? []) {
    const full = toFullTag(tag)
    if (full) result.push(full)
  }
  return result
}
