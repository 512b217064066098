import { arrayLiteralItems, type FilterCondition } from './filterGrammar'

type Row = Readonly<Record<string, unknown>>

const NUMERIC_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid', 'money'])
const TRUE_LITERALS = new Set(['t', 'true', 'y', 'yes', 'on', '1'])
const FALSE_LITERALS = new Set(['f', 'false', 'n', 'no', 'off', '0'])

type Kind = 'number' | 'boolean' | 'text'
/** SQL's three-valued logic: null is "unknown", which never makes a row visible. */
type Tri = boolean | null

function kindOf(actual: unknown, type: string | undefined): Kind {
  if (type !== undefined) return NUMERIC_TYPES.has(type) ? 'number' : type === 'bool' ? 'boolean' : 'text'
  return typeof actual === 'number' ? 'number' : typeof actual === 'boolean' ? 'boolean' : 'text'
}

/** A value cast to the column's kind, as Postgres casts both sides; undefined when the cast fails. */
function cast(value: unknown, kind: Kind): number | boolean | string | undefined {
  if (kind === 'number') {
    const number =
      typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
    return Number.isNaN(number) ? undefined : number
  }
  if (kind === 'boolean') {
    if (typeof value === 'boolean') return value
    const text = String(value).trim().toLowerCase()
    return TRUE_LITERALS.has(text) ? true : FALSE_LITERALS.has(text) ? false : undefined
  }
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  let source = ''
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!
    if (char === '\\' && index + 1 < pattern.length) source += pattern[++index]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    else if (char === '%') source += '.*'
    else if (char === '_') source += '.'
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, `s${flags}`)
}

function regExpTest(pattern: string, text: string, flags: string): Tri {
  try {
    return new RegExp(pattern, flags).test(text)
  } catch {
    return null
  }
}

/** `IS [NOT] NULL|TRUE|FALSE|UNKNOWN` (never unknown itself). */
function isKeyword(actual: unknown, keyword: string): boolean {
  if (keyword === 'null') return actual === null
  if (keyword === 'unknown') return actual === null
  if (actual === null) return false
  const bool = cast(actual, 'boolean')
  return keyword === 'true' ? bool === true : bool === false
}

function compare(actual: unknown, condition: FilterCondition, type: string | undefined): Tri {
  const { op, value } = condition
  if (op === 'is') return isKeyword(actual, value) !== condition.negate
  const kind = kindOf(actual, type)
  const left = actual === null ? null : cast(actual, kind)
  if (op === 'isdistinct') {
    const right = cast(value, kind)
    if (right === undefined) return null
    return (left === null || left !== right) !== condition.negate
  }
  if (left === null || left === undefined) return null
  let result: Tri
  switch (op) {
    case 'in': {
      const items = arrayLiteralItems(value).map((item) => (item === null ? null : cast(item, kind)))
      result = items.some((item) => item === left)
        ? true
        : items.some((item) => item === null || item === undefined)
          ? null
          : false
      break
    }
    case 'like':
    case 'ilike':
      result = likeToRegExp(value, op === 'ilike' ? 'i' : '').test(String(left))
      break
    case 'match':
    case 'imatch':
      result = regExpTest(value, String(left), op === 'imatch' ? 'i' : '')
      break
    default: {
      const right = cast(value, kind)
      if (right === undefined) return null
      result =
        op === 'eq'
          ? left === right
          : op === 'neq'
            ? left !== right
            : op === 'lt'
              ? left < right
              : op === 'lte'
                ? left <= right
                : op === 'gt'
                  ? left > right
                  : left >= right
    }
  }
  return result === null ? null : result !== condition.negate
}

/**
 * Whether a row passes every condition, as the server's `is_visible_through_filters` decides:
 * a condition on a column the row does not carry fails (fail closed), and an unknown result
 * (a null value, a value that does not cast) fails. `types` (column → `pg_type.typname`) casts
 * both sides as Postgres would; without it, JSON numbers and booleans compare as such.
 *
 * @example
 * const parsed = parseFilter('id=gt.1,title=like.m%')
 * if (parsed.ok) rowPassesFilter({ id: 3, title: 'milk' }, parsed.conditions) // true
 */
export function rowPassesFilter(
  row: Row | null,
  conditions: readonly FilterCondition[],
  types?: ReadonlyMap<string, string>,
): boolean {
  if (conditions.length === 0) return true
  if (!row) return false
  return conditions.every(
    (condition) =>
      Object.hasOwn(row, condition.column) &&
      compare(row[condition.column] ?? null, condition, types?.get(condition.column)) === true,
  )
}
