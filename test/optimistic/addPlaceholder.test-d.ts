import { describe, expectTypeOf, it } from 'vitest'
import type { ThunkDispatch, UnknownAction } from '@reduxjs/toolkit'
import { addPlaceholder, type PlaceholderHandle } from '../../src/optimistic/addPlaceholder'
import type { Generation, ListApi } from '../router/listSupport'

declare const api: ListApi
declare const dispatch: ThunkDispatch<{ listApi: unknown }, unknown, UnknownAction>
const item: Generation = { id: 'r1', project_id: 'p1', prompt: 'queued', updated_at: '', client_request_id: 'r1' }

describe('addPlaceholder types', () => {
  it('returns a handle typed by the list item when dispatched', () => {
    const handle = dispatch(
      addPlaceholder(api, 'generations', { projectId: 'p1' }, item, { id: 'r1', requestIdKey: 'client_request_id' }),
    )
    expectTypeOf(handle).toEqualTypeOf<PlaceholderHandle<Generation>>()
    expectTypeOf(handle.confirm).parameter(0).toEqualTypeOf<Generation | undefined>()
  })

  it('rejects endpoints that are not lists, wrong arguments, wrong items and unknown fields', () => {
    // @ts-expect-error generationCount caches a number
    addPlaceholder(api, 'generationCount', 'p1', item, { id: 'r1' })
    // @ts-expect-error generations takes { projectId }
    addPlaceholder(api, 'generations', 'p1', item, { id: 'r1' })
    // @ts-expect-error the item must be a Generation
    addPlaceholder(api, 'generations', { projectId: 'p1' }, { title: 'x' }, { id: 'r1' })
    // @ts-expect-error 'request_id' is not a field of Generation
    addPlaceholder(api, 'generations', { projectId: 'p1' }, item, { id: 'r1', requestIdKey: 'request_id' })
  })
})
