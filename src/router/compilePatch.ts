import type { CompiledPatch } from './patchTypes'

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

/** Validates a route's `patch` options; `fail` throws a TypeError naming the route and the field. */
export function compilePatch(
  candidate: unknown,
  fail: (problem: string) => never,
  endpoints?: ReadonlySet<string>,
): CompiledPatch {
  if (typeof candidate !== 'object' || candidate === null)
    fail('patch must be an object { endpoint, args, key?, version? }')
  const patch = candidate as Record<string, unknown>
  if (!nonEmptyString(patch.endpoint)) fail('patch.endpoint must name a query endpoint of the api')
  if (endpoints && !endpoints.has(patch.endpoint))
    fail(`patch.endpoint '${patch.endpoint}' is not an endpoint of the api`)
  if (typeof patch.args !== 'function') fail('patch.args must be a function (event) => the cached list argument')
  if (patch.key !== undefined && !nonEmptyString(patch.key)) fail('patch.key must be a non-empty field name')
  if (patch.version !== undefined && !nonEmptyString(patch.version))
    fail('patch.version must be a non-empty field name')
  if (patch.insertAt !== undefined && patch.insertAt !== 'start' && patch.insertAt !== 'end')
    fail("patch.insertAt must be 'start' or 'end'")
  if (patch.sort !== undefined && typeof patch.sort !== 'function')
    fail('patch.sort must be a compare function (a, b) => number')
  return {
    endpoint: patch.endpoint,
    args: patch.args as CompiledPatch['args'],
    key: (patch.key as string | undefined) ?? 'id',
    version: patch.version as string | undefined,
    insertAt: (patch.insertAt as 'start' | 'end' | undefined) ?? 'end',
    sort: patch.sort as CompiledPatch['sort'],
  }
}
