import { configureStore } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it } from 'vitest'
import { addPlaceholder } from '../../src/optimistic/addPlaceholder'
import { finishHarness } from '../support/harness'
import {
  createListApi,
  createListHarness,
  generation,
  ListBackend,
  type Generation,
  type ListHarness,
} from '../router/listSupport'

let h: ListHarness | undefined
afterEach(() => {
  finishHarness(h)
  h = undefined
})

const tile: Generation = { id: 'r1', project_id: 'p1', prompt: 'queued', updated_at: '', client_request_id: null }

async function cachedList() {
  h = createListHarness()
  h.backend.put(generation('a', 1))
  await h.mount('p1')
  return h
}

describe('addPlaceholder on bad input', () => {
  it('names the option or field that is wrong, and inserts nothing', async () => {
    const harness = await cachedList()
    const add =
      (...args: unknown[]) =>
      () =>
        harness.store.dispatch((addPlaceholder as (...a: unknown[]) => never)(...args))
    expect(add(harness.api, 'generations', { projectId: 'p1' }, tile, {})).toThrow(
      new TypeError('addPlaceholder(): options.id must be a non-empty string or a number'),
    )
    expect(add(harness.api, 'generations', { projectId: 'p1' }, tile)).toThrow(/options \{ id \} are required/)
    expect(add(harness.api, 'generations', { projectId: 'p1' }, tile, { id: 'r1', ttlMs: 0 })).toThrow(/options\.ttlMs/)
    expect(add(harness.api, 'generations', { projectId: 'p1' }, tile, { id: 'r1', insertAt: 'middle' })).toThrow(
      /options\.insertAt/,
    )
    expect(add(harness.api, 'generations', { projectId: 'p1' }, tile, { id: 'other' })).toThrow(
      /item\.id must equal options\.id/,
    )
    expect(add(harness.api, 'nope', { projectId: 'p1' }, tile, { id: 'r1' })).toThrow(/endpointName 'nope'/)
    expect(add(harness.api, 'generations', { projectId: 'p1' }, 'text', { id: 'r1' })).toThrow(/item must be an object/)
    expect(add({}, 'generations', { projectId: 'p1' }, tile, { id: 'r1' })).toThrow(/api must be an RTK Query api/)
    expect(harness.ids()).toEqual(['a'])
  })

  it('refuses a cached value that is not a list, naming the endpoint', async () => {
    const harness = await cachedList()
    harness.store.dispatch(harness.api.endpoints.generationCount.initiate('p1') as never)
    await harness.clock.advance(0)
    const add = addPlaceholder as (...args: unknown[]) => never
    expect(() => harness.store.dispatch(add(harness.api, 'generationCount', 'p1', tile, { id: 'r1' }))).toThrow(
      new TypeError(
        'addPlaceholder(): the cached data of generationCount is not an array (placeholders go into lists)',
      ),
    )
  })

  it('says so when the store has no realtime middleware for the api', () => {
    const api = createListApi(new ListBackend())
    const store = configureStore({
      reducer: { [api.reducerPath]: api.reducer },
      middleware: (gDM) => gDM().concat(api.middleware),
    })
    expect(() => store.dispatch(addPlaceholder(api, 'generations', { projectId: 'p1' }, tile, { id: 'r1' }))).toThrow(
      /no realtime middleware for the api 'listApi'/,
    )
  })

  it('rejects a confirm row that is not an object', async () => {
    const harness = await cachedList()
    const handle = harness.store.dispatch(
      addPlaceholder(harness.api, 'generations', { projectId: 'p1' }, tile, { id: 'r1' }),
    )
    expect(() => handle.confirm('row' as never)).toThrow(
      new TypeError('placeholder.confirm(row): row must be an object'),
    )
    expect(harness.ids()).toEqual(['r1', 'a'])
  })
})
