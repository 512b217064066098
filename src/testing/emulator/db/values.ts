// Turns Postgres' text output (as pgoutput sends it) into the JSON shapes Supabase Realtime sends,
// which are those of Postgres' own `to_jsonb`: numbers, booleans, JSON, ISO timestamps, arrays.

const NUMERIC = new Set(['int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'numeric'])

function toNumber(text: string): number | string {
  const value = Number(text)
  // NaN and ±Infinity stay strings, as to_jsonb writes them.
  return Number.isFinite(value) ? value : text
}

/** `2024-01-02 03:04:05.123+00` → `2024-01-02T03:04:05.123+00:00` (to_jsonb's format). */
function isoTimestamp(text: string, withZone: boolean): string {
  const match = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(.*)$/.exec(text)
  if (!match) return text // infinity, -infinity, BC dates
  const [, date, time, rest = ''] = match
  if (!withZone) return `${date}T${time}${rest}`
  const zone = /^([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(rest)
  if (!zone) return `${date}T${time}${rest}`
  const [, hours, minutes = '00', seconds] = zone
  return `${date}T${time}${hours}:${minutes}${seconds ? `:${seconds}` : ''}`
}

/** Splits a Postgres array literal (`{1,2}`, `{"a b",NULL}`, `{{1,2},{3,4}}`) into nested arrays of element texts. */
export function parseArrayLiteral(text: string): unknown[] | undefined {
  const body = text.startsWith('[') ? text.slice(text.indexOf('=') + 1) : text // `[0:1]={…}` bounds
  let position = 0
  const parseLevel = (): unknown[] | undefined => {
    if (body[position] !== '{') return undefined
    position += 1
    const items: unknown[] = []
    if (body[position] === '}') {
      position += 1
      return items
    }
    for (;;) {
      if (body[position] === '{') {
        const nested = parseLevel()
        if (!nested) return undefined
        items.push(nested)
      } else if (body[position] === '"') {
        let value = ''
        position += 1
        while (position < body.length && body[position] !== '"') {
          if (body[position] === '\\') position += 1
          value += body[position] ?? ''
          position += 1
        }
        position += 1
        items.push(value)
      } else {
        let end = position
        while (end < body.length && body[end] !== ',' && body[end] !== '}') end += 1
        const raw = body.slice(position, end).trim()
        items.push(raw === 'NULL' ? null : raw)
        position = end
      }
      const separator = body[position]
      position += 1
      if (separator === '}') return items
      if (separator !== ',') return undefined
    }
  }
  const result = parseLevel()
  return result && position === body.length ? result : undefined
}

function mapNested(items: unknown[], elementType: string): unknown[] {
  return items.map((item) =>
    Array.isArray(item) ? mapNested(item, elementType) : normaliseValue(item as string | null, elementType),
  )
}

/**
 * Converts one column value from Postgres text output to what Supabase Realtime sends for a
 * column of type `typeName` (`pg_type.typname`): int/float/numeric → number, bool → boolean,
 * json/jsonb → parsed JSON, timestamptz → `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`, timestamp →
 * `YYYY-MM-DDTHH:MM:SS[.ffffff]`, arrays (`_int4`, …) → arrays; everything else (text, uuid,
 * date, time, enums, …) stays the string Postgres wrote.
 */
export function normaliseValue(text: string | null, typeName: string): unknown {
  if (text === null) return null
  if (NUMERIC.has(typeName)) return toNumber(text)
  switch (typeName) {
    case 'bool':
      return text === 't' || text === 'true'
    case 'json':
    case 'jsonb':
      try {
        return JSON.parse(text) as unknown
      } catch {
        return text
      }
    case 'timestamptz':
      return isoTimestamp(text, true)
    case 'timestamp':
      return isoTimestamp(text, false)
  }
  if (typeName.startsWith('_')) {
    const items = parseArrayLiteral(text)
    return items ? mapNested(items, typeName.slice(1)) : text
  }
  return text
}
