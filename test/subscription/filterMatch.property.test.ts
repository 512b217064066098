import { postgresChangesFilter, type RealtimePostgresFilterBuilder } from '@supabase/supabase-js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseFilter } from '../../src/subscription/filterGrammar'
import { rowPassesFilter } from '../../src/subscription/filterMatch'
import { validateSpec } from '../../src/subscription/validateSpec'

/**
 * The client-side matcher against a reference model, on filters built by supabase-js's own
 * `postgresChangesFilter()`: an int4 column `n` and a text column `t`, either of them null.
 * The model is SQL written out by hand: a comparison with null is unknown, and unknown fails
 * (`not.` included); `is` never is unknown.
 */
type Value = number | string | null
interface Condition {
  column: 'n' | 't'
  op: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'is' | 'like' | 'ilike'
  value: Value | Value[] | boolean
  negate: boolean
}

const TYPES = new Map([
  ['n', 'int4'],
  ['t', 'text'],
])

/** SQL LIKE by hand: `%` any run, `_` one character, `\` escapes the next. */
function like(text: string, pattern: string): boolean {
  if (pattern === '') return text === ''
  const [head, rest] = [pattern[0]!, pattern.slice(1)]
  if (head === '%') return [...Array(text.length + 1).keys()].some((cut) => like(text.slice(cut), rest))
  if (text === '') return false
  if (head === '\\' && rest !== '') return text[0] === rest[0] && like(text.slice(1), rest.slice(1))
  return (head === '_' || head === text[0]) && like(text.slice(1), rest)
}

function model(row: Record<string, Value>, condition: Condition): boolean {
  const actual = row[condition.column] ?? null
  if (condition.op === 'is') {
    const holds = condition.value === null ? actual === null : false // the columns are not boolean: IS TRUE/FALSE never holds
    return holds !== condition.negate
  }
  if (actual === null) return false
  let holds: boolean
  const value = condition.value
  switch (condition.op) {
    case 'in':
      holds = (value as Value[]).some((item) => String(item) === String(actual))
      break
    case 'like':
      holds = like(String(actual), String(value))
      break
    case 'ilike':
      holds = like(String(actual).toLowerCase(), String(value).toLowerCase())
      break
    default: {
      const [a, b] = typeof actual === 'number' ? [actual, Number(value)] : [actual, String(value)]
      holds =
        condition.op === 'eq'
          ? a === b
          : condition.op === 'neq'
            ? a !== b
            : condition.op === 'lt'
              ? a < b
              : condition.op === 'lte'
                ? a <= b
                : condition.op === 'gt'
                  ? a > b
                  : a >= b
    }
  }
  return holds !== condition.negate
}

const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', ',', '(', ')', ' ', '"', '.'), maxLength: 4 })
const pattern = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '%', '_', ','), maxLength: 4 })
const int = fc.integer({ min: -3, max: 3 })

const numberCondition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({
    column: fc.constant('n' as const),
    op: fc.constantFrom('eq', 'neq', 'lt', 'lte', 'gt', 'gte'),
    value: int,
    negate: fc.boolean(),
  }),
  fc.record({
    column: fc.constant('n' as const),
    op: fc.constant('in' as const),
    value: fc.array(int, { minLength: 1, maxLength: 3 }),
    negate: fc.boolean(),
  }),
)
const textCondition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ column: fc.constant('t' as const), op: fc.constantFrom('eq', 'neq'), value: text, negate: fc.boolean() }),
  fc.record({
    column: fc.constant('t' as const),
    op: fc.constantFrom('like', 'ilike'),
    value: pattern,
    negate: fc.boolean(),
  }),
  fc.record({
    column: fc.constant('t' as const),
    op: fc.constant('in' as const),
    value: fc.array(
      text.filter((item) => item.trim() === item && item !== ''),
      { minLength: 1, maxLength: 3 },
    ),
    negate: fc.boolean(),
  }),
)
const isCondition: fc.Arbitrary<Condition> = fc.record({
  column: fc.constantFrom('n' as const, 't' as const),
  op: fc.constant('is' as const),
  value: fc.constant(null),
  negate: fc.boolean(),
})

function build(conditions: Condition[]): string {
  let builder: RealtimePostgresFilterBuilder = postgresChangesFilter()
  for (const { column, op, value, negate } of conditions) {
    if (negate) builder = builder.not(column, op as never, value as never)
    else
      builder = (builder[op] as (column: string, value: unknown) => RealtimePostgresFilterBuilder).call(
        builder,
        column,
        value,
      )
  }
  return builder.build()
}

describe('the filter matcher against a reference model, on filters supabase-js builds', () => {
  it('is accepted by the validator and decides every row as SQL would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(numberCondition, textCondition, isCondition), { minLength: 1, maxLength: 3 }),
        fc.record({ n: fc.option(int, { nil: null }), t: fc.option(text, { nil: null }) }),
        (conditions, row) => {
          const filter = build(conditions)
          const parsed = parseFilter(filter)
          expect(parsed.ok, `${filter}: ${parsed.ok ? '' : parsed.error}`).toBe(true)
          expect(() =>
            validateSpec({ topic: 't', postgres: [{ event: '*', schema: 'public', table: 'x', filter }] }),
          ).not.toThrow()
          if (!parsed.ok) return
          const expected = conditions.every((condition) => model(row, condition))
          expect(rowPassesFilter(row, parsed.conditions, TYPES), `${filter} on ${JSON.stringify(row)}`).toBe(expected)
        },
      ),
      { numRuns: 2_000, seed: 15 },
    )
  })

  it('fails a condition on a column the row does not carry, negated or not (the server fails closed)', () => {
    for (const filter of ['n=eq.1', 'n=not.eq.1', 'n=not.is.null']) {
      const parsed = parseFilter(filter)
      expect(parsed.ok && rowPassesFilter({ t: 'a' }, parsed.conditions, TYPES)).toBe(false)
    }
  })
})
