// INSERT / upsert / UPDATE / DELETE statements for the PostgREST subset (values always bound).
import { PostgrestHttpError, parseError, unknownPayloadColumn } from './postgrestErrors'
import { IDENTIFIER, qualified, splitList, whereClause, type Params } from './postgrestQuery'
import type { TableInfo } from './schemaCache'

/** The parsed `Prefer` header. */
export interface Preferences {
  returnRepresentation: boolean
  count: boolean
  resolution?: 'merge-duplicates' | 'ignore-duplicates'
  missingDefault: boolean
  rollback: boolean
}

/** Parses `Prefer: return=representation, count=exact, resolution=merge-duplicates, …`. */
export function parsePrefer(header: string | string[] | undefined): Preferences {
  const values = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((item) => item.trim())
  const resolution = values.find((item) => item.startsWith('resolution='))?.slice('resolution='.length)
  return {
    returnRepresentation: values.includes('return=representation'),
    count: values.some((item) => /^count=(exact|planned|estimated)$/.test(item)),
    resolution: resolution === 'merge-duplicates' || resolution === 'ignore-duplicates' ? resolution : undefined,
    missingDefault: values.includes('missing=default'),
    rollback: values.includes('tx=rollback'),
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A value bound for a column: JSON columns get JSON text (pg would turn JS arrays into Postgres arrays). */
function bindValue(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null
  if (type === 'json' || type === 'jsonb') return JSON.stringify(value)
  if (isPlainObject(value)) return JSON.stringify(value)
  return value
}

function payloadColumn(table: TableInfo, name: string): string {
  if (!IDENTIFIER.test(name) || !table.columns.has(name)) throw unknownPayloadColumn(table.name, name)
  return `"${name}"`
}

function conflictTarget(table: TableInfo, onConflict: string | null): string {
  const names = onConflict ? onConflict.split(',').map((name) => name.trim()) : table.primaryKey
  if (names.length === 0)
    throw parseError('upsert needs on_conflict or a primary key', `table ${table.name} has no primary key`)
  return names.map((name) => payloadColumn(table, name)).join(', ')
}

/** The data-modifying statement of an INSERT (or upsert) request, returning every column. */
export function insertStatement(
  table: TableInfo,
  body: unknown,
  search: URLSearchParams,
  prefer: Preferences,
  params: Params,
): string {
  const rows = Array.isArray(body) ? body : [body]
  if (!rows.every(isPlainObject))
    throw new PostgrestHttpError(400, 'PGRST102', 'All object keys must match', {
      details: 'the body must be an object or an array of objects',
    })
  const listed = search.get('columns')
  const names = listed ? splitList(listed) : [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const quoted = names.map((name) => payloadColumn(table, name))
  const target = qualified(table)
  let sql: string
  if (rows.length === 0) return `SELECT * FROM ${target} WHERE false`
  if (names.length === 0) {
    // Rows without any column: every column takes its default.
    const first = [...table.columns.keys()][0] as string
    sql = `INSERT INTO ${target} ("${first}") VALUES ${rows.map(() => '(DEFAULT)').join(', ')}`
  } else {
    const tuples = rows.map((row) => {
      const cells = names.map((name) => {
        if (!(name in row)) return prefer.missingDefault ? 'DEFAULT' : 'NULL'
        return params.add(bindValue(row[name], table.columns.get(name) as string))
      })
      return `(${cells.join(', ')})`
    })
    sql = `INSERT INTO ${target} (${quoted.join(', ')}) VALUES ${tuples.join(', ')}`
  }
  if (prefer.resolution === 'ignore-duplicates')
    sql += ` ON CONFLICT (${conflictTarget(table, search.get('on_conflict'))}) DO NOTHING`
  else if (prefer.resolution === 'merge-duplicates') {
    const keys = conflictTarget(table, search.get('on_conflict'))
    const merge = quoted.map((name) => `${name} = EXCLUDED.${name}`).join(', ')
    sql += quoted.length > 0 ? ` ON CONFLICT (${keys}) DO UPDATE SET ${merge}` : ` ON CONFLICT (${keys}) DO NOTHING`
  }
  return `${sql} RETURNING *`
}

/** The statement of an UPDATE request (`PATCH`); an empty patch changes nothing. */
export function updateStatement(table: TableInfo, body: unknown, search: URLSearchParams, params: Params): string {
  if (!isPlainObject(body))
    throw new PostgrestHttpError(400, 'PGRST102', 'Empty or invalid json', { details: 'PATCH expects one object' })
  const where = whereClause(table, search, params)
  const names = Object.keys(body)
  if (names.length === 0) return `SELECT * FROM ${qualified(table)} WHERE false`
  const assignments = names.map(
    (name) => `${payloadColumn(table, name)} = ${params.add(bindValue(body[name], table.columns.get(name) as string))}`,
  )
  return `UPDATE ${qualified(table)} SET ${assignments.join(', ')} ${where} RETURNING *`
}

/** The statement of a DELETE request. */
export function deleteStatement(table: TableInfo, search: URLSearchParams, params: Params): string {
  return `DELETE FROM ${qualified(table)} ${whereClause(table, search, params)} RETURNING *`
}
