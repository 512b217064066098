import type { PlaceholderRecord } from './placeholderActions'
import { placeholderIndex, putItem, realRowPresent, removePlaceholder } from './placeholderList'
import { dropTracked, listOf, sameList, writeList, type Tracked, type TrackerState } from './trackedPlaceholders'

/**
 * Brings one placeholder in line with its list after the list changed (`refetched`: by a fulfilled query).
 * @internal
 */
export function reconcilePlaceholder(state: TrackerState, placeholder: Tracked, refetched: boolean): void {
  if (!state.tracked.has(placeholder.token)) return
  const list = listOf(state, placeholder)
  if (list === undefined) {
    placeholder.inserted = false
    return
  }
  if (realRowPresent(list, placeholder)) {
    if (placeholderIndex(list, placeholder) >= 0)
      writeList(state, placeholder, (draft) => removePlaceholder(draft, placeholder))
    dropTracked(state, placeholder, 'replaced by its row')
  } else if (placeholderIndex(list, placeholder) >= 0) {
    placeholder.inserted = true
  } else if (refetched || !placeholder.inserted) {
    writeList(state, placeholder, (draft) => putItem(draft, placeholder, placeholder.item, placeholder.insertAt))
    placeholder.inserted = true
  } else {
    dropTracked(state, placeholder, 'removed by the app')
  }
}

/**
 * Starts tracking a placeholder (superseding an older one of the same id in the same list) and puts it in its list.
 * @internal
 */
export function addPlaceholderToList(state: TrackerState, record: PlaceholderRecord): void {
  const select = state.api.endpoints[record.endpointName]?.select?.(record.args) as Tracked['select'] | undefined
  if (!select) return
  const placeholder: Tracked = { ...record, select, inserted: false, timer: 0 }
  for (const other of [...state.tracked.values()]) {
    // The same id added again to the same list: the newest handle owns it.
    if (other.endpointName === record.endpointName && other.id === record.id && sameList(state, other, placeholder))
      dropTracked(state, other, 'superseded')
  }
  placeholder.timer = state.clock.setTimeout(() => removeTracked(state, placeholder.token, 'expired'), record.ttlMs)
  state.tracked.set(record.token, placeholder)
  const list = listOf(state, placeholder)
  if (list && !realRowPresent(list, placeholder)) {
    writeList(state, placeholder, (draft) => putItem(draft, placeholder, placeholder.item, placeholder.insertAt))
    placeholder.inserted = true
  } else if (list) dropTracked(state, placeholder, 'not added: its row is already cached')
}

/**
 * Replaces the placeholder with its confirmed row (or just removes it when the row is cached already).
 * @internal
 */
export function confirmPlaceholder(state: TrackerState, token: string, row: Record<string, unknown> | undefined): void {
  const placeholder = state.tracked.get(token)
  if (!placeholder || row === undefined) return
  if (placeholder.versionKey !== undefined && row[placeholder.versionKey] != null) {
    // Read-your-writes: stays pending until the list holds the row at that version (realtime or a refetch).
    placeholder.minVersion = { field: placeholder.versionKey, value: row[placeholder.versionKey] }
    // The row's id (server-assigned, perhaps) finds the row; the placeholder keeps its own id in the list.
    const id = row[placeholder.key]
    if (typeof id === 'string' || typeof id === 'number') placeholder.rowId = id
    reconcilePlaceholder(state, placeholder, false)
    return
  }
  const list = listOf(state, placeholder)
  // The row may be cached already (a patch or a refetch got there first): never list it twice.
  const rowId = row[placeholder.key]
  const byRowId =
    typeof rowId === 'string' || typeof rowId === 'number'
      ? { key: placeholder.key, id: rowId, requestIdKey: undefined }
      : null
  const cached =
    list !== undefined && (realRowPresent(list, placeholder) || (byRowId !== null && realRowPresent(list, byRowId)))
  if (list && cached) writeList(state, placeholder, (draft) => removePlaceholder(draft, placeholder))
  else if (list) writeList(state, placeholder, (draft) => putItem(draft, placeholder, row, placeholder.insertAt))
  dropTracked(state, placeholder, 'confirmed with its row')
}

/**
 * Takes a tracked placeholder out of its list and stops tracking it (`why`: 'expired', 'rolled back').
 * @internal
 */
export function removeTracked(state: TrackerState, token: string, why: string): void {
  const placeholder = state.tracked.get(token)
  if (!placeholder) return
  const list = listOf(state, placeholder)
  if (list && placeholderIndex(list, placeholder) >= 0)
    writeList(state, placeholder, (draft) => removePlaceholder(draft, placeholder))
  dropTracked(state, placeholder, why)
}
