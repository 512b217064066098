import type { Middleware, UnknownAction } from '@reduxjs/toolkit'
import type { Clock, TimerHandle } from '../env/clock'
import type { Logger } from '../env/logger'
import { rtkqMatchers } from '../rtkq/rtkqActions'
import type { RtkqApi } from '../rtkq/rtkqApi'
import { apiSliceChanged, updateEntry } from '../rtkq/rtkqCache'
import { placeholderAdded, placeholderConfirmed, placeholderRolledBack, type PlaceholderReceipt, type PlaceholderRecord } from './placeholderActions'
import { placeholderIndex, putItem, realRowPresent, removePlaceholder } from './placeholderList'

/** JSON with sorted object keys, as RTK Query's default serializeQueryArgs compares arguments. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) =>
    typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? Object.fromEntries(Object.entries(nested).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : nested,
  )
}

interface Tracked extends PlaceholderRecord {
  select: (state: unknown) => { data?: unknown }
  /** Whether the placeholder is in the cached list as far as we know. */
  inserted: boolean
  timer: TimerHandle
}

/**
 * Keeps optimistic placeholders (added with `addPlaceholder`) in their cached lists until their
 * real rows arrive: after every fulfilled refetch a placeholder whose row is missing is put back
 * in the same dispatch (no flicker), one whose row arrived is dropped, and one past its ttl is
 * removed on the injected clock, refetch or not. A placeholder the app itself removes from the
 * cache (an optimistic delete) stays removed.
 */
export function createPlaceholderTracker({ api, clock, logger }: { api: RtkqApi; clock: Clock; logger: Logger }) {
  const tracked = new Map<string, Tracked>()
  const matchers = rtkqMatchers(api.reducerPath)
  let store: { dispatch: (action: UnknownAction) => unknown; getState: () => unknown } | null = null
  let writing = false

  const write = (placeholder: Tracked, recipe: (list: unknown[]) => void) => {
    if (!store) return
    writing = true
    try {
      store.dispatch(updateEntry(api, placeholder.endpointName, placeholder.args, recipe as never))
    } finally {
      writing = false
    }
  }

  const drop = (placeholder: Tracked, why: string) => {
    clock.clearTimeout(placeholder.timer)
    tracked.delete(placeholder.token)
    logger.debug(`placeholder of ${placeholder.endpointName} ${why}`)
  }

  const listOf = (placeholder: Tracked): unknown[] | undefined => {
    const data = store ? placeholder.select(store.getState()).data : undefined
    if (data === undefined || Array.isArray(data)) return data
    logger.once(`placeholder-not-a-list:${placeholder.endpointName}`, 'warn', `the cached data of ${placeholder.endpointName} is no longer an array; its placeholders are dropped`)
    drop(placeholder, 'dropped: the cached data is not an array')
    return undefined
  }

  /** Brings one placeholder in line with its list after the list changed (`refetched`: by a fulfilled query). */
  const reconcile = (placeholder: Tracked, refetched: boolean) => {
    if (!tracked.has(placeholder.token)) return
    const list = listOf(placeholder)
    if (list === undefined) {
      placeholder.inserted = false
      return
    }
    if (realRowPresent(list, placeholder)) {
      if (placeholderIndex(list, placeholder) >= 0) write(placeholder, (draft) => removePlaceholder(draft, placeholder))
      drop(placeholder, 'replaced by its row')
    } else if (placeholderIndex(list, placeholder) >= 0) {
      placeholder.inserted = true
    } else if (refetched || !placeholder.inserted) {
      write(placeholder, (draft) => putItem(draft, placeholder, placeholder.item, placeholder.insertAt))
      placeholder.inserted = true
    } else {
      drop(placeholder, 'removed by the app')
    }
  }

  const add = (record: PlaceholderRecord) => {
    const select = api.endpoints[record.endpointName]?.select?.(record.args) as Tracked['select'] | undefined
    if (!select) return
    const placeholder: Tracked = { ...record, select, inserted: false, timer: 0 }
    for (const other of [...tracked.values()]) {
      // The same id added again to the same list: the newest handle owns it.
      if (other.endpointName === record.endpointName && other.id === record.id && sameList(other, placeholder)) drop(other, 'superseded')
    }
    placeholder.timer = clock.setTimeout(() => expire(placeholder.token), record.ttlMs)
    tracked.set(record.token, placeholder)
    const list = listOf(placeholder)
    if (list && !realRowPresent(list, placeholder)) {
      write(placeholder, (draft) => putItem(draft, placeholder, placeholder.item, placeholder.insertAt))
      placeholder.inserted = true
    } else if (list) drop(placeholder, 'not added: its row is already cached')
  }

  /** Whether two placeholders target the same cache entry: the same cached data, or (nothing cached yet) equal args. */
  const sameList = (a: Tracked, b: Tracked): boolean => {
    const state = store?.getState()
    const dataA = a.select(state).data
    const dataB = b.select(state).data
    if (dataA !== undefined || dataB !== undefined) return dataA === dataB
    return stableJson(a.args) === stableJson(b.args)
  }

  const expire = (token: string) => {
    const placeholder = tracked.get(token)
    if (!placeholder) return
    const list = listOf(placeholder)
    if (list && placeholderIndex(list, placeholder) >= 0) write(placeholder, (draft) => removePlaceholder(draft, placeholder))
    drop(placeholder, 'expired')
  }

  const confirm = (token: string, row: Record<string, unknown> | undefined) => {
    const placeholder = tracked.get(token)
    if (!placeholder || row === undefined) return
    const list = listOf(placeholder)
    // The row may be cached already (a patch or a refetch got there first): never list it twice.
    const rowId = row[placeholder.key]
    const byRowId = typeof rowId === 'string' || typeof rowId === 'number' ? { key: placeholder.key, id: rowId, requestIdKey: undefined } : null
    const cached = list !== undefined && (realRowPresent(list, placeholder) || (byRowId !== null && realRowPresent(list, byRowId)))
    if (list && cached) write(placeholder, (draft) => removePlaceholder(draft, placeholder))
    else if (list) write(placeholder, (draft) => putItem(draft, placeholder, row, placeholder.insertAt))
    drop(placeholder, 'confirmed with its row')
  }

  const rollback = (token: string) => {
    const placeholder = tracked.get(token)
    if (!placeholder) return
    const list = listOf(placeholder)
    if (list && placeholderIndex(list, placeholder) >= 0) write(placeholder, (draft) => removePlaceholder(draft, placeholder))
    drop(placeholder, 'rolled back')
  }

  const middleware: Middleware = (storeApi) => {
    store = storeApi as typeof store
    return (next) => (action) => {
      if (placeholderAdded.match(action) && action.payload.reducerPath === api.reducerPath) {
        next(action)
        add(action.payload)
        const receipt: PlaceholderReceipt = { placeholderTracked: action.payload.token }
        return receipt
      }
      if (placeholderConfirmed.match(action) && action.payload.reducerPath === api.reducerPath) {
        const result = next(action)
        confirm(action.payload.token, action.payload.row)
        return result
      }
      if (placeholderRolledBack.match(action) && action.payload.reducerPath === api.reducerPath) {
        const result = next(action)
        rollback(action.payload.token)
        return result
      }
      if (tracked.size === 0 || writing) return next(action)
      // Redux state is immutable: the state before the action can be read after it. A list can change
      // only when the api's slice does, so most actions (the realtime ones) stop at one comparison.
      const stateBefore = storeApi.getState()
      const result = next(action)
      const stateAfter = storeApi.getState()
      if (!apiSliceChanged(stateBefore, stateAfter, api)) return result
      const refetched = matchers.isQueryFulfilled(action as UnknownAction)
      for (const placeholder of [...tracked.values()]) {
        if (placeholder.select(stateAfter).data !== placeholder.select(stateBefore).data) reconcile(placeholder, refetched)
      }
      return result
    }
  }

  return {
    middleware,
    /** Placeholders still tracked (waiting for their rows). */
    size: () => tracked.size,
    /** Stops tracking every placeholder (they stay in the cache until the next refetch). */
    clear() {
      for (const placeholder of [...tracked.values()]) drop(placeholder, 'forgotten (realtime stopped)')
    },
  }
}
