import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { describe, expect, it } from 'vitest'
import { cachedQueries } from '../../src/rtkq/rtkqCache'
import { findQueryCacheKey, providedTagsOf } from '../../src/rtkq/rtkqTags'

const api = createApi({
  baseQuery: fakeBaseQuery(),
  tagTypes: ['Todos'],
  endpoints: (build) => ({
    todos: build.query<number[], { listId: number }>({
      queryFn: () => ({ data: [1] }),
      providesTags: (_result, _error, { listId }) => [{ type: 'Todos', id: listId }],
    }),
    custom: build.query<number[], { listId: number; ignored: string }>({
      queryFn: () => ({ data: [2] }),
      serializeQueryArgs: ({ queryArgs }) => `list-${queryArgs.listId}`,
      providesTags: ['Todos'],
    }),
  }),
})

async function cachedStore() {
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer },
    middleware: (gDM) => gDM().concat(api.middleware),
  })
  await store.dispatch(api.endpoints.todos.initiate({ listId: 1 }))
  await store.dispatch(api.endpoints.custom.initiate({ listId: 2, ignored: 'x' }))
  return store
}

describe("a query's cache key and provided tags, from RTK Query's state", () => {
  it("finds RTK Query's default key, and reads the tags the query provided", async () => {
    const store = await cachedStore()
    const key = findQueryCacheKey(cachedQueries(store.getState(), api), 'todos', { listId: 1 })
    expect(key).toBe('todos({"listId":1})')
    expect(providedTagsOf(store.getState(), api, key!)).toEqual([{ type: 'Todos', id: 1 }])
  })

  it('finds the entry of an endpoint with its own serializeQueryArgs by its arguments', async () => {
    const store = await cachedStore()
    const queries = cachedQueries(store.getState(), api)
    expect(findQueryCacheKey(queries, 'custom', { listId: 2, ignored: 'x' })).toBe('list-2')
    expect(findQueryCacheKey(queries, 'custom', { listId: 3, ignored: 'x' })).toBeNull()
    expect(providedTagsOf(store.getState(), api, 'missing')).toEqual([])
  })
})
