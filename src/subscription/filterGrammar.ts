/**
 * Supabase Realtime's `postgres_changes` filter grammar, as its server parses it: segments
 * separated by top-level commas (outside parentheses and double quotes) are ANDed, each
 * `column=[not.]op.value`. The error texts are the server's, first error only.
 */

/** Every operator the server accepts. */
export const FILTER_OPERATORS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'ilike',
  'is',
  'match',
  'imatch',
  'isdistinct',
] as const

/** One operator of {@link FILTER_OPERATORS}. */
export type FilterOperator = (typeof FILTER_OPERATORS)[number]

/** One `column=[not.]op.value` condition. `value` is unquoted; an `in` list is `{a,b}` (a Postgres array literal). */
export interface FilterCondition {
  column: string
  op: FilterOperator
  value: string
  negate: boolean
}

/** The conditions of a filter string (all must hold), or the server's error text. */
export type ParsedFilterResult = { ok: true; conditions: FilterCondition[] } | { ok: false; error: string }

const OPERATORS = new Set<string>(FILTER_OPERATORS)

/** Elixir's `inspect` of a string list, as the server's error texts print it. */
export function inspectStrings(items: readonly string[]): string {
  const one = (text: string): string =>
    `"${text
      .replace(/\\/g, '\\\\')
      .replace(/"/g, '\\"')
      .replace(/#\{/g, '\\#{')
      .replace(/\n/g, '\\n')
      .replace(/\t/g, '\\t')
      .replace(/\r/g, '\\r')}"`
  return `[${items.map(one).join(', ')}]`
}

/** Splits on commas outside parentheses and quotes; a quote opens only after `.`, `(` or `,`. */
function splitTopLevel(filter: string): string[] {
  const segments: string[] = []
  let current = ''
  let depth = 0
  let quoted = false
  let previous = ''
  for (let index = 0; index < filter.length; index++) {
    const char = filter[index]!
    if (quoted) {
      if (char === '\\' && index + 1 < filter.length) {
        current += char + filter[++index]!
        previous = filter[index]!
        continue
      }
      if (char === '"') quoted = false
      current += char
      previous = char
      continue
    }
    if (char === '"' && (previous === '.' || previous === '(' || previous === ',')) quoted = true
    else if (char === '(') depth++
    else if (char === ')') depth = Math.max(0, depth - 1)
    else if (char === ',' && depth === 0) {
      segments.push(current)
      current = ''
      previous = ''
      continue
    }
    current += char
    previous = char
  }
  segments.push(current)
  return segments
}

/** `"a\"b"` → `a"b`; anything that is not one well-formed quoted string stays as written. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value
  let out = ''
  for (let index = 1; index < value.length; index++) {
    const char = value[index]!
    if (char === '"') return index === value.length - 1 ? out : value
    if (char === '\\' && index + 1 < value.length) out += value[++index]!
    else out += char
  }
  return value
}

function parseSegment(segment: string): FilterCondition | string {
  const trimmed = segment.trim()
  if (trimmed === '') return 'filter must not contain empty segments (check for extra commas)'
  const eq = trimmed.indexOf('=')
  if (eq === -1) return inspectStrings([trimmed])
  const column = trimmed.slice(0, eq)
  let rest = trimmed.slice(eq + 1)
  const negate = rest.startsWith('not.')
  if (negate) rest = rest.slice(4)
  const dot = rest.indexOf('.')
  if (dot === -1) return inspectStrings([rest])
  const op = rest.slice(0, dot)
  const value = rest.slice(dot + 1)
  if (!OPERATORS.has(op)) return inspectStrings([op, value])
  if (op === 'in') {
    if (value.length < 2 || !value.startsWith('(') || !value.endsWith(')'))
      return '`in` filter value must be wrapped by parentheses'
    return { column, op, value: `{${value.slice(1, -1)}}`, negate }
  }
  return { column, op: op as FilterOperator, value: unquote(value), negate }
}

const cache = new Map<string, ParsedFilterResult>()
const MAX_CACHED = 1_000

/**
 * Parses a filter as the Realtime server does (an empty or blank string is no filter). Results
 * are cached per string: filters come from a small, stable set of specs.
 *
 * @example
 * parseFilter('value=gte.b,value=lte.d') // { ok: true, conditions: [{ column: 'value', op: 'gte', … }, …] }
 * parseFilter('id=foo.1')                // { ok: false, error: 'Error parsing `filter` params: ["foo", "1"]' }
 */
export function parseFilter(filter: string): ParsedFilterResult {
  const cached = cache.get(filter)
  if (cached) return cached
  let result: ParsedFilterResult
  if (filter.trim() === '') result = { ok: true, conditions: [] }
  else {
    const conditions: FilterCondition[] = []
    result = { ok: true, conditions }
    for (const segment of splitTopLevel(filter.trim())) {
      const parsed = parseSegment(segment)
      if (typeof parsed === 'string') {
        result = { ok: false, error: `Error parsing \`filter\` params: ${parsed}` }
        break
      }
      conditions.push(parsed)
    }
  }
  if (cache.size >= MAX_CACHED) cache.clear()
  cache.set(filter, result)
  return result
}

/**
 * The elements of a Postgres array literal (`{a,"b,c",NULL}`): quoted elements unescaped,
 * an unquoted `NULL` is null.
 */
export function arrayLiteralItems(literal: string): (string | null)[] {
  const body = literal.slice(1, -1)
  if (body.trim() === '') return []
  const items: (string | null)[] = []
  let index = 0
  while (index <= body.length) {
    while (body[index] === ' ') index++
    if (body[index] === '"') {
      let out = ''
      index++
      while (index < body.length && body[index] !== '"') {
        if (body[index] === '\\') index++
        out += body[index] ?? ''
        index++
      }
      items.push(out)
      index = body.indexOf(',', index)
    } else {
      const end = body.indexOf(',', index)
      const raw = (end === -1 ? body.slice(index) : body.slice(index, end)).trim()
      items.push(raw.toUpperCase() === 'NULL' ? null : raw)
      index = end
    }
    if (index === -1) break
    index++
  }
  return items
}
