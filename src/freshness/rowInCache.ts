import { isPending } from '../optimistic/placeholderList'
import { compareVersions } from '../router/patchVersions'
import { isRecord, sameKey } from '../router/rowKeys'

/** What a wait looks for in a cached query's data. */
export interface RowTarget {
  key: string | number
  keyField: string
  version: string | number | undefined
  versionField: string
}

/** The rows a query's data may hold it in: a list, a single row, or the lists of one object (`{ items: [...] }`). */
function candidateRows(data: unknown): unknown[] {
  if (Array.isArray(data)) return data
  if (!isRecord(data)) return []
  const rows: unknown[] = [data]
  for (const value of Object.values(data)) if (Array.isArray(value)) rows.push(...value)
  return rows
}

/**
 * Whether `data` holds the row: the same key (placeholders do not count) and, when a version is
 * asked for, a version at least that one. `'uncomparable'` when a row with the key is there but
 * its version cannot be compared (missing, or in another format).
 * @internal
 */
export function rowInData(data: unknown, target: RowTarget): boolean | 'uncomparable' {
  let uncomparable = false
  for (const row of candidateRows(data)) {
    if (!isRecord(row) || isPending(row) || !sameKey(row[target.keyField], target.key)) continue
    if (target.version === undefined) return true
    const order = compareVersions(row[target.versionField], target.version)
    if (order === null) uncomparable = true
    else if (order >= 0) return true
  }
  return uncomparable ? 'uncomparable' : false
}
