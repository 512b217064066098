import { parseFilter, type FilterCondition } from '../../../subscription/filterGrammar'

/** One `postgres_changes` entry as the server reads it before inserting the subscription. */
export interface SubscriptionParams {
  /** `*`, `INSERT`, `UPDATE` or `DELETE` (an unknown event means `*`). */
  event: string
  schema: string
  /** A table name, or `*`. */
  table: string
  conditions: FilterCondition[]
  /** Column names to deliver (the primary key always comes along); null: every column. */
  select: string[] | null
}

export type ParamsResult = { ok: true; params: SubscriptionParams } | { ok: false; error: string }

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Elixir's `inspect` of a decoded JSON term (maps with sorted keys), for the server's error texts. */
export function inspectTerm(value: unknown): string {
  if (value === null || value === undefined) return 'nil'
  if (typeof value === 'string') return JSON.stringify(value).replace(/#\{/g, '\\#{')
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map(inspectTerm).join(', ')}]`
  if (isObject(value)) {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    return `%{${keys.map((key) => `${inspectTerm(key)} => ${inspectTerm(value[key])}`).join(', ')}}`
  }
  return String(value)
}

function actionFilter(event: unknown): string {
  if (typeof event !== 'string') return '*'
  const upper = event.toUpperCase()
  return upper === 'INSERT' || upper === 'UPDATE' || upper === 'DELETE' ? upper : '*'
}

function parseSelect(
  params: Record<string, unknown>,
): { ok: true; select: string[] | null } | { ok: false; error: string } {
  const select = params.select
  if (Array.isArray(select)) {
    const names = select.filter((item): item is string => typeof item === 'string')
    return { ok: true, select: names.length === 0 ? null : names }
  }
  if (typeof select === 'string') {
    return {
      ok: false,
      error: 'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]',
    }
  }
  return { ok: true, select: null }
}

function withParams(
  event: string,
  schema: string,
  table: string,
  conditions: FilterCondition[],
  select: string[] | null,
): ParamsResult {
  if (select !== null && (schema === '*' || table === '*')) {
    return {
      ok: false,
      error: 'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.',
    }
  }
  return { ok: true, params: { event, schema, table, conditions, select } }
}

/**
 * Reads one entry of a join's `config.postgres_changes` as the real server's
 * `parse_subscription_params` does, with its error texts: `schema`, `table` and `filter` must
 * be strings, a filter needs both, `schema` alone means every table, `table` alone means `public`.
 *
 * @example
 * parseSubscriptionParams({ event: 'INSERT', schema: 'public', table: 'todos', filter: 'id=gt.1,id=lt.9' })
 */
export function parseSubscriptionParams(entry: unknown): ParamsResult {
  if (!isObject(entry))
    return {
      ok: false,
      error: `No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${inspectTerm(entry)}`,
    }
  const selected = parseSelect(entry)
  if (!selected.ok) return selected
  const event = actionFilter(entry.event)
  const { schema, table, filter } = entry
  const has = (key: string): boolean => Object.hasOwn(entry, key)
  if (typeof schema === 'string' && typeof table === 'string' && typeof filter === 'string') {
    const parsed = parseFilter(filter)
    if (!parsed.ok) return { ok: false, error: parsed.error }
    return withParams(event, schema, table, parsed.conditions, selected.select)
  }
  if (typeof schema === 'string' && typeof table === 'string' && !has('filter'))
    return withParams(event, schema, table, [], selected.select)
  if (typeof schema === 'string' && !has('table') && !has('filter'))
    return withParams(event, schema, '*', [], selected.select)
  if (typeof table === 'string' && !has('schema') && !has('filter'))
    return withParams(event, 'public', table, [], selected.select)
  const shown = has('user_token') || has('auth_token') ? '<redacted>' : inspectTerm(entry)
  return {
    ok: false,
    error: `No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${shown}`,
  }
}

/** The server's log form of parsed params: `event: *, schema: public, table: todos, filters: [...], select: nil`. */
export function paramsToLog({ event, schema, table, conditions, select }: SubscriptionParams): string {
  const filters = `[${conditions.map((c) => `{${inspectTerm(c.column)}, ${inspectTerm(c.op)}, ${inspectTerm(c.value)}, ${String(c.negate)}}`).join(', ')}]`
  return `event: ${event}, schema: ${schema}, table: ${table}, filters: ${filters}, select: ${inspectTerm(select)}`
}
