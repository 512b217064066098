import { createAction } from '@reduxjs/toolkit'

/** A placeholder as the realtime middleware tracks it: data only (serializable). */
export interface PlaceholderRecord {
  /** The RTK Query api it belongs to (`api.reducerPath`). */
  reducerPath: string
  endpointName: string
  args: unknown
  /** The item as inserted: the caller's item with `pending: true` and its key set. */
  item: Record<string, unknown>
  id: string | number
  key: string
  requestIdKey: string | undefined
  /** With it, `confirm(row)` waits for the list to hold the row at `row[versionKey]` or newer. */
  versionKey?: string
  ttlMs: number
  insertAt: 'start' | 'end'
  /** Unique per `addPlaceholder` call; the handle's confirm and rollback name it. */
  token: string
}

/** What the realtime middleware answers to `placeholderAdded` (a store without it answers the action itself). */
export interface PlaceholderReceipt {
  placeholderTracked: string
}

export function isPlaceholderReceipt(value: unknown): value is PlaceholderReceipt {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<PlaceholderReceipt>).placeholderTracked === 'string'
  )
}

const PREFIX = 'rtkSupabaseRealtime/optimistic'

/** A placeholder was inserted into a cached list (or waits for the list to be cached). */
export const placeholderAdded = createAction<PlaceholderRecord>(`${PREFIX}/placeholderAdded`)

/** The write behind a placeholder succeeded; `row`, when given, replaces the placeholder now. */
export const placeholderConfirmed = createAction<{ reducerPath: string; token: string; row?: Record<string, unknown> }>(
  `${PREFIX}/placeholderConfirmed`,
)

/** The write behind a placeholder failed: the placeholder leaves the cache. */
export const placeholderRolledBack = createAction<{ reducerPath: string; token: string }>(
  `${PREFIX}/placeholderRolledBack`,
)
