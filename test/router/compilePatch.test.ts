import { describe, expect, it } from 'vitest'
import { compileRoutes } from '../../src/router/compileRoutes'

const valid = {
  on: { table: 'generations' },
  patch: { endpoint: 'generations', args: () => ({ projectId: 'p1' }) },
  fallbackTags: () => ['Generations'],
}
const endpoints = new Set(['generations', 'generationCount'])

describe('compileRoutes with patch routes', () => {
  it('compiles a patch route with its defaults (key id, insert at the end)', () => {
    const compiled = compileRoutes([valid], endpoints)
    expect(compiled.byTable.get('public.generations')?.[0]?.patch).toMatchObject({
      endpoint: 'generations',
      key: 'id',
      version: undefined,
      insertAt: 'end',
    })
    expect(compiled.byTable.get('public.generations')?.[0]?.tags).toBeUndefined()
  })

  it.each([
    [
      { ...valid, fallbackTags: undefined },
      'routes[0] needs fallbackTags: (event) => tags (invalidated when the patch cannot be applied)',
    ],
    [{ ...valid, patch: 'generations' }, 'routes[0] patch must be an object { endpoint, args, key?, version? }'],
    [
      { ...valid, patch: { ...valid.patch, endpoint: '' } },
      'routes[0] patch.endpoint must name a query endpoint of the api',
    ],
    [
      { ...valid, patch: { ...valid.patch, endpoint: 'getGenerations' } },
      "routes[0] patch.endpoint 'getGenerations' is not an endpoint of the api",
    ],
    [
      { ...valid, patch: { ...valid.patch, args: { projectId: 'p1' } } },
      'routes[0] patch.args must be a function (event) => the cached list argument',
    ],
    [{ ...valid, patch: { ...valid.patch, key: 3 } }, 'routes[0] patch.key must be a non-empty field name'],
    [{ ...valid, patch: { ...valid.patch, version: '' } }, 'routes[0] patch.version must be a non-empty field name'],
    [{ ...valid, patch: { ...valid.patch, insertAt: 'top' } }, "routes[0] patch.insertAt must be 'start' or 'end'"],
    [
      { ...valid, patch: { ...valid.patch, sort: 'updated_at' } },
      'routes[0] patch.sort must be a compare function (a, b) => number',
    ],
    [{ ...valid, tags: ['Generations'] }, 'routes[0] tags must be a function (event) => tags'],
    [
      { ...valid, on: { broadcast: 'GENERATIONS_UPDATED' } },
      'routes[0] patch is only for postgres_changes routes (on: { table })',
    ],
  ])('fails at creation, naming the route and the field: %#', (route, message) => {
    expect(() => compileRoutes([route], endpoints)).toThrow(new TypeError(`createRealtime(): ${message}`))
  })
})
