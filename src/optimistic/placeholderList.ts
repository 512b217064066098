import { compareVersions } from '../router/patchVersions'
import { isRecord, sameKey } from '../router/rowKeys'

/** How a placeholder is recognised in a cached list. */
export interface PlaceholderMatch {
  /** The placeholder's id (also its `key` field). */
  id: string | number
  /** The field that identifies list items (default `id`). */
  key: string
  /** A field of real rows that carries the client request id the placeholder was added with. */
  requestIdKey: string | undefined
  /** Set by a confirm under `versionKey`: only a row with at least this version in `field` counts. */
  minVersion?: { field: string; value: unknown }
  /**
   * Set by a confirm under `versionKey`: the confirmed row's own id (a server-assigned one may
   * differ from `id`, which keeps finding the placeholder in the list).
   */
  rowId?: string | number
}

/**
 * Whether a list item is an optimistic placeholder that has not been replaced by its real row
 * yet (added with `addPlaceholder`, it carries `pending: true`).
 *
 * @example
 * const generations = useGetGenerationsQuery({ projectId }).data ?? []
 * generations.map((g) => (isPending(g) ? <PendingTile key={g.id} /> : <Tile key={g.id} generation={g} />))
 */
export function isPending(item: unknown): boolean {
  return isRecord(item) && item.pending === true
}

/** Index of the placeholder in the list, or -1. */
export function placeholderIndex(list: readonly unknown[], match: PlaceholderMatch): number {
  return list.findIndex((item) => isPending(item) && sameKey((item as Record<string, unknown>)[match.key], match.id))
}

/** Whether a row is recent enough for the placeholder (always, unless a confirm asked for a version). */
function recentEnough(item: Record<string, unknown>, match: PlaceholderMatch): boolean {
  if (!match.minVersion) return true
  const order = compareVersions(item[match.minVersion.field], match.minVersion.value)
  return order !== null && order >= 0
}

/** Whether the placeholder's real row is in the list: same id, or carrying its client request id (and, after a versioned confirm, at least that version). */
export function realRowPresent(list: readonly unknown[], match: PlaceholderMatch): boolean {
  return list.some((item) => {
    if (!isRecord(item) || isPending(item)) return false
    const same =
      sameKey(item[match.key], match.id) ||
      (match.rowId !== undefined && sameKey(item[match.key], match.rowId)) ||
      (match.requestIdKey !== undefined && sameKey(item[match.requestIdKey], match.id))
    return same && recentEnough(item, match)
  })
}

/** Removes the placeholder from a list (an immer draft); real rows are never touched. */
export function removePlaceholder(list: unknown[], match: PlaceholderMatch): void {
  for (let index = list.length - 1; index >= 0; index--) {
    const item = list[index]
    if (isPending(item) && sameKey((item as Record<string, unknown>)[match.key], match.id)) list.splice(index, 1)
  }
}

/** Puts the placeholder item (or, on confirm, its real row) into a list (an immer draft), replacing the placeholder in place. */
export function putItem(list: unknown[], match: PlaceholderMatch, item: unknown, insertAt: 'start' | 'end'): void {
  const index = placeholderIndex(list, match)
  if (index >= 0) list[index] = item
  else if (insertAt === 'start') list.unshift(item)
  else list.push(item)
}
