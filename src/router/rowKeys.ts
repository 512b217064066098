/** Whether a value is a plain record (a row), not an array or a primitive. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Keys compare by value; `7` and `'7'` (an int8 sent as text) are the same row. */
export function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true
  return (
    (typeof a === 'number' || typeof a === 'string') &&
    (typeof b === 'number' || typeof b === 'string') &&
    String(a) === String(b)
  )
}
