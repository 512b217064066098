// Parses the query string postgrest-js sends (filters, select, order, limit, offset) into SQL
// fragments. Identifiers are checked against the table's real columns and then quoted; every
// value is a bind parameter.
import { parseError, unknownColumn } from './postgrestErrors'
import type { TableInfo } from './schemaCache'

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Collects bind parameters: `add(value)` returns its placeholder (`$1`, `$2`, …). */
export class Params {
  readonly values: unknown[] = []
  add(value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict', 'apikey'])
const COMPARISONS: Record<string, string> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'LIKE',
  ilike: 'ILIKE',
}
const IS_VALUES: Record<string, string> = {
  null: 'NULL',
  not_null: 'NOT NULL',
  true: 'TRUE',
  false: 'FALSE',
  unknown: 'UNKNOWN',
}

/** `"schema"."table"` (both names were checked against the catalogs). */
export function qualified(table: TableInfo): string {
  return `"${table.schema}"."${table.name}"`
}

/** A checked, quoted column reference. */
export function column(table: TableInfo, name: string): string {
  if (!IDENTIFIER.test(name)) throw parseError(`"failed to parse" column name: ${JSON.stringify(name)}`)
  if (!table.columns.has(name)) throw unknownColumn(table.name, name)
  return `"${name}"`
}

/** Splits `a,"b,c",d` (the body of `in.(…)` or of `columns=`) into items, unquoting quoted ones. */
export function splitList(text: string): string[] {
  const items: string[] = []
  let current = ''
  let quoted = false
  let wasQuoted = false
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string
    if (quoted) {
      if (char === '\\' && i + 1 < text.length) current += text[++i]
      else if (char === '"') quoted = false
      else current += char
    } else if (char === '"') {
      quoted = true
      wasQuoted = true
    } else if (char === ',') {
      items.push(wasQuoted ? current : current.trim())
      current = ''
      wasQuoted = false
    } else current += char
  }
  if (quoted) throw parseError('"failed to parse" list: unterminated quote')
  items.push(wasQuoted ? current : current.trim())
  return items
}

function filterSql(table: TableInfo, name: string, expression: string, params: Params): string {
  const quoted = column(table, name)
  let rest = expression
  let negate = false
  if (rest.startsWith('not.')) {
    negate = true
    rest = rest.slice(4)
  }
  const dot = rest.indexOf('.')
  const op = dot < 0 ? rest : rest.slice(0, dot)
  const value = dot < 0 ? '' : rest.slice(dot + 1)
  if (dot < 0)
    throw parseError(`"failed to parse filter (${expression})"`, `unexpected end of input in the filter on ${name}`)
  let sql: string
  const comparison = COMPARISONS[op]
  if (comparison) {
    const operand = op === 'like' || op === 'ilike' ? value.replaceAll('*', '%') : value
    sql = `${quoted} ${comparison} ${params.add(operand)}`
  } else if (op === 'in') {
    if (!value.startsWith('(') || !value.endsWith(')'))
      throw parseError(`"failed to parse filter (${expression})"`, 'in. expects a list in parentheses')
    const items = value.length > 2 ? splitList(value.slice(1, -1)) : []
    sql = `${quoted} = ANY(${params.add(items)})`
  } else if (op === 'is') {
    const keyword = IS_VALUES[value.toLowerCase()]
    if (!keyword)
      throw parseError(`"failed to parse filter (${expression})"`, 'is. expects null, not_null, true, false or unknown')
    sql = `${quoted} IS ${keyword}`
  } else {
    throw parseError(
      `"failed to parse filter (${expression})"`,
      `the emulator does not support the operator ${JSON.stringify(op)}`,
    )
  }
  return negate ? `NOT (${sql})` : sql
}

/** `WHERE …` for every filter parameter (empty string when none). */
export function whereClause(table: TableInfo, search: URLSearchParams, params: Params): string {
  const conditions: string[] = []
  for (const [key, value] of search) {
    if (RESERVED.has(key)) continue
    if (key === 'or' || key === 'and' || key === 'not.or' || key === 'not.and') {
      throw parseError(`"failed to parse logic tree (${value})"`, 'the emulator does not support or/and filters')
    }
    conditions.push(filterSql(table, key, value, params))
  }
  return conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''
}

/** The projection for `select=` (`*`, `col`, `alias:col`); embedded resources and casts are refused. */
export function selectList(table: TableInfo, select: string | null): string {
  if (select === null || select === '' || select === '*') return '*'
  return select
    .split(',')
    .map((item) => {
      if (item === '*') return '*'
      const match = /^(?:([A-Za-z_][A-Za-z0-9_]*):)?([^:]+)$/.exec(item)
      if (!match)
        throw parseError(
          `"failed to parse select parameter (${select})"`,
          `the emulator supports only column names and alias:column, not ${JSON.stringify(item)}`,
        )
      const [, alias, name] = match as unknown as [string, string | undefined, string]
      const quoted = column(table, name)
      return alias ? `${quoted} AS "${alias}"` : quoted
    })
    .join(', ')
}

/** `ORDER BY …` for `order=col.asc.nullslast,col2.desc` (empty string when absent). */
export function orderClause(table: TableInfo, order: string | null): string {
  if (!order) return ''
  const terms = order.split(',').map((term) => {
    const [name = '', ...modifiers] = term.split('.')
    let sql = column(table, name)
    for (const modifier of modifiers) {
      if (modifier === 'asc') sql += ' ASC'
      else if (modifier === 'desc') sql += ' DESC'
      else if (modifier === 'nullsfirst') sql += ' NULLS FIRST'
      else if (modifier === 'nullslast') sql += ' NULLS LAST'
      else throw parseError(`"failed to parse order (${order})"`, `unknown modifier ${JSON.stringify(modifier)}`)
    }
    return sql
  })
  return `ORDER BY ${terms.join(', ')}`
}

function nonNegativeInteger(name: string, value: string | null): number | undefined {
  if (value === null) return undefined
  if (!/^\d{1,9}$/.test(value))
    throw parseError(`"failed to parse ${name} (${value})"`, `${name} must be a non-negative integer`)
  return Number(value)
}

/** `LIMIT … OFFSET …` from `limit=`/`offset=`, with the values for Content-Range. */
export function pageClause(search: URLSearchParams, params: Params): { sql: string; offset: number } {
  const limit = nonNegativeInteger('limit', search.get('limit'))
  const offset = nonNegativeInteger('offset', search.get('offset'))
  const parts: string[] = []
  if (limit !== undefined) parts.push(`LIMIT ${params.add(limit)}`)
  if (offset !== undefined) parts.push(`OFFSET ${params.add(offset)}`)
  return { sql: parts.join(' '), offset: offset ?? 0 }
}
