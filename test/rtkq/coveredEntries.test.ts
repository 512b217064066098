import { configureStore } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { describe, expect, it } from 'vitest'
import { coveredEntries } from '../../src/rtkq/coveredEntries'

const api = createApi({
  baseQuery: fakeBaseQuery(),
  tagTypes: ['Todos', 'Users'],
  endpoints: (build) => ({
    todos: build.query<number[], { listId: number }>({
      queryFn: () => ({ data: [1] }),
      providesTags: (_result, _error, { listId }) => [{ type: 'Todos', id: listId }],
    }),
    users: build.query<string[], void>({ queryFn: () => ({ data: ['a'] }), providesTags: ['Users'] }),
  }),
})

async function cachedStore() {
  const store = configureStore({
    reducer: { [api.reducerPath]: api.reducer },
    middleware: (gDM) => gDM().concat(api.middleware),
  })
  await store.dispatch(api.endpoints.todos.initiate({ listId: 1 }))
  await store.dispatch(api.endpoints.todos.initiate({ listId: 2 }))
  await store.dispatch(api.endpoints.users.initiate())
  return store
}

describe('the cache entries a set of tags covers', () => {
  it('are the entries RTK Query would invalidate for those tags, by queryCacheKey', async () => {
    const store = await cachedStore()
    const failures: unknown[] = []
    const onFailure = (error: unknown) => failures.push(error)
    expect(coveredEntries(api, store.getState(), [{ type: 'Todos', id: 2 }], onFailure)).toEqual([
      'todos({"listId":2})',
    ])
    expect(coveredEntries(api, store.getState(), [{ type: 'Todos' }, { type: 'Users' }], onFailure).sort()).toEqual([
      'todos({"listId":1})',
      'todos({"listId":2})',
      'users(undefined)',
    ])
    expect(coveredEntries(api, store.getState(), [{ type: 'Todos', id: 3 }], onFailure)).toEqual([])
    expect(failures).toEqual([])
  })

  it('are none when RTK Query cannot look them up, and the failure is handed to the caller, not thrown', () => {
    const boom = new TypeError('unexpected state')
    const throwing = {
      util: {
        selectInvalidatedBy: (): never => {
          throw boom
        },
      },
    }
    const failures: unknown[] = []
    expect(coveredEntries(throwing, {}, [{ type: 'Todos' }], (error) => failures.push(error))).toEqual([])
    expect(failures).toEqual([boom])
  })
})
