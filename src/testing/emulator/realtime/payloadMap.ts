/**
 * A frame's value as the real server's pattern matches read it: a JSON object (an Elixir map),
 * not an array, not null.
 */
export const isMap = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** The value when it is a map, else an empty one (a field of the wrong type reads as absent). */
export const asObject = (value: unknown): Record<string, unknown> => (isMap(value) ? value : {})
