/** A timestamp as Postgres, PostgREST and Realtime write it: `2024-05-01 12:00:00.123456+00`, ISO 8601, `Z`, or no zone (UTC). */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/
const DIGITS = /^-?\d+$/

/** Epoch milliseconds and the sub-millisecond rest (microseconds and below), or null. */
function parseTimestamp(value: string): [number, number] | null {
  const match = TIMESTAMP.exec(value)
  if (!match) return null
  const [, date, time, fraction = '', zone = 'Z'] = match
  const offset =
    zone === 'Z'
      ? 'Z'
      : zone.length === 3
        ? `${zone}:00`
        : zone.includes(':')
          ? zone
          : `${zone.slice(0, 3)}:${zone.slice(3)}`
  const ms = Date.parse(`${date}T${time}.${fraction.padEnd(3, '0').slice(0, 3)}${offset}`)
  if (!Number.isFinite(ms)) return null
  return [ms, Number(fraction.slice(3).padEnd(6, '0'))]
}

function sign(difference: number): -1 | 0 | 1 {
  return difference < 0 ? -1 : difference > 0 ? 1 : 0
}

function compareDigits(a: string, b: string): -1 | 0 | 1 {
  const big = BigInt(a) - BigInt(b)
  return big < 0n ? -1 : big > 0n ? 1 : 0
}

/**
 * Orders two row versions (last write wins): numbers, integer strings (`bigint` columns), and
 * timestamps in any of Postgres's spellings, compared in time (microseconds kept; zones
 * honoured). `null` when they cannot be compared (missing, mixed, or unknown formats).
 *
 * @example
 * compareVersions('2024-05-01T12:00:00.000002+00:00', '2024-05-01 12:00:00.000001+00') // 1
 * compareVersions(3, 7)                                                                  // -1
 * compareVersions('draft', 2)                                                            // null
 */
export function compareVersions(a: unknown, b: unknown): -1 | 0 | 1 | null {
  if (typeof a === 'number' && typeof b === 'number')
    return Number.isFinite(a) && Number.isFinite(b) ? sign(a - b) : null
  if (typeof a === 'number' && typeof b === 'string' && DIGITS.test(b))
    return Number.isSafeInteger(a) ? compareDigits(String(a), b) : null
  if (typeof a === 'string' && typeof b === 'number') {
    const reversed = compareVersions(b, a)
    return reversed === null ? null : ((-reversed || 0) as -1 | 0 | 1)
  }
  if (typeof a !== 'string' || typeof b !== 'string') return null
  if (DIGITS.test(a) && DIGITS.test(b)) return compareDigits(a, b)
  const left = parseTimestamp(a)
  const right = parseTimestamp(b)
  if (!left || !right) return null
  return sign(left[0] - right[0]) || sign(left[1] - right[1])
}
