import { isPending as isPlaceholder } from '../optimistic/placeholderList'
import type { Row } from '../events/events'
import { compareVersions } from './patchVersions'
import type { CompiledPatch } from './patchTypes'
import type { ListOutcome } from './patchRows'
import { isRecord } from './rowKeys'

/** Keys compare by value (`7` and `'7'` are one row, as `sameKey` says): one map key per row. */
function mapKey(key: unknown): unknown {
  return typeof key === 'number' || typeof key === 'string' ? `k:${String(key)}` : key
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return JSON.stringify(a) === JSON.stringify(b)
}

function sameRow(item: Record<string, unknown>, row: Row): boolean {
  const keys = Object.keys(row)
  return (
    keys.length === Object.keys(item).length &&
    keys.every((column) => column in item && sameValue(item[column], row[column]))
  )
}

/** A column the list's rows carry that this row lacks (TOAST-ed, or not visible to the role): writing it would lose data. */
function missesColumns(reference: Record<string, unknown> | undefined, row: Row): boolean {
  if (!reference) return false
  for (const column of Object.keys(reference)) if (!(column in row)) return true
  return false
}

/**
 * One batch of patches to one cached list, applied to a plain copy with a key index, so a batch
 * costs one pass over the list instead of one scan (and one Immer proxy per row) per event. The
 * result replaces the cached list in a single `updateQueryData`; unchanged rows keep their identity.
 */
export class WorkingList {
  private readonly items: Array<unknown>
  /** Rows inserted at the start, newest last (reversed when the list is built). */
  private readonly prepended: Array<Record<string, unknown>> = []
  private readonly removed = new Set<number>()
  private readonly index = new Map<unknown, { at: 'items' | 'prepended'; position: number }>()
  private reference: Record<string, unknown> | undefined
  changed = false

  constructor(
    base: readonly unknown[],
    readonly patch: CompiledPatch,
  ) {
    this.items = [...base]
    this.items.forEach((item, position) => {
      if (!isRecord(item)) return
      const key = mapKey(item[patch.key])
      // The first item with a key is the one `findIndex` would have found.
      if (!this.index.has(key)) this.index.set(key, { at: 'items', position })
      if (!this.reference && !isPlaceholder(item)) this.reference = item
    })
  }

  private slot(key: unknown) {
    return this.index.get(mapKey(key))
  }

  private read(slot: { at: 'items' | 'prepended'; position: number }): unknown {
    return slot.at === 'items' ? this.items[slot.position] : this.prepended[slot.position]
  }

  private write(slot: { at: 'items' | 'prepended'; position: number }, row: Record<string, unknown>): void {
    if (slot.at === 'items') this.items[slot.position] = row
    else this.prepended[slot.position] = row
  }

  /**
   * Upserts a row, last write wins on `patch.version`. A placeholder with the row's key is
   * replaced in place; an incomplete row is never written. Only an INSERT adds a row: an UPDATE
   * of a row the list lacks may belong to another page or have just moved into its filter.
   */
  upsert(key: unknown, row: Row, insert: boolean): ListOutcome {
    const slot = this.slot(key)
    if (!slot && !insert) return 'NOT_IN_LIST'
    const current = slot ? this.read(slot) : undefined
    const existing = current !== undefined && !isPlaceholder(current) ? (current as Record<string, unknown>) : undefined
    if (existing && this.patch.version !== undefined) {
      const order = compareVersions(row[this.patch.version], existing[this.patch.version])
      if (order === null) return 'VERSION_UNCOMPARABLE'
      if (order < 0) return 'stale'
    }
    if (missesColumns(existing ?? this.reference, row)) return 'MISSING_COLUMNS'
    if (existing && sameRow(existing, row)) return 'unchanged'
    const written = { ...row }
    if (slot) this.write(slot, written)
    else if (this.patch.insertAt === 'start') {
      this.prepended.push(written)
      this.index.set(mapKey(key), { at: 'prepended', position: this.prepended.length - 1 })
    } else {
      this.items.push(written)
      this.index.set(mapKey(key), { at: 'items', position: this.items.length - 1 })
    }
    this.reference ??= written
    this.changed = true
    return 'patched'
  }

  /** Removes every item with the key. */
  delete(key: unknown): ListOutcome {
    const wanted = mapKey(key)
    let removed = false
    this.items.forEach((item, position) => {
      if (!this.removed.has(position) && isRecord(item) && mapKey(item[this.patch.key]) === wanted) {
        this.removed.add(position)
        removed = true
      }
    })
    for (let position = this.prepended.length - 1; position >= 0; position--) {
      if (mapKey(this.prepended[position]![this.patch.key]) !== wanted) continue
      this.prepended.splice(position, 1)
      removed = true
    }
    if (!removed) return 'unchanged'
    this.reindexPrepended()
    this.index.delete(wanted)
    this.changed = true
    return 'patched'
  }

  private reindexPrepended(): void {
    this.prepended.forEach((row, position) =>
      this.index.set(mapKey(row[this.patch.key]), { at: 'prepended', position }),
    )
  }

  /** The list after the batch: newest inserts first (for `insertAt: 'start'`), then the rest in order. */
  result(): unknown[] {
    const list = ([...this.prepended].reverse() as unknown[]).concat(
      this.items.filter((_, position) => !this.removed.has(position)),
    )
    if (this.patch.sort) list.sort(this.patch.sort)
    return list
  }
}
