import type { UnknownAction } from '@reduxjs/toolkit'
import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { afterEach, describe, expect, it } from 'vitest'
import type { RealtimeOptions } from '../../src/core/options'
import { defineRoutes } from '../../src/router/defineRoutes'
import { createHarness, finishHarness, type Harness } from '../support/harness'

let h: Harness | undefined
afterEach(() => {
  finishHarness(h)
  h = undefined
})

/** Project 7's item list, whose query provides the tag with a number id; the route names it with a string id. */
function projectSeven() {
  const db = { version: 0 }
  const api = createApi({
    reducerPath: 'itemsApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    tagTypes: ['Items'],
    endpoints: (build) => ({
      items: build.query<{ version: number }, number>({
        queryFn: () => ({ data: { version: db.version } }),
        providesTags: (_result, _error, projectId) => [{ type: 'Items', id: projectId }],
      }),
    }),
  })
  const routes = defineRoutes<typeof api>()([{ on: { table: 'items' }, tags: () => [{ type: 'Items', id: '7' }] }])
  const harness = (h = createHarness({ api, routes } as Partial<RealtimeOptions>))
  harness.realtime.subscribe({
    topic: 'project:7',
    postgres: [{ event: '*', schema: 'public', table: 'items' }],
    tags: [{ type: 'Items', id: 7 }],
  })
  return { harness, api, db }
}

function announceItem(harness: Harness): void {
  harness.transport.emitEvent({
    kind: 'postgres_changes',
    topic: 'project:7',
    receivedAt: harness.clock.now(),
    schema: 'public',
    table: 'items',
    eventType: 'UPDATE',
    commitTimestamp: null,
    new: { id: 1 },
    old: { id: 1 },
  })
}

describe('the silent detector with number and string tag ids', () => {
  it("takes an event routed to id '7' for the subscription tag of id 7: announced, and it clears the silent source", async () => {
    const { harness, api, db } = projectSeven()
    await harness.clock.advance(100)
    harness.store.dispatch(api.endpoints.items.initiate(7) as unknown as UnknownAction)
    await harness.clock.advance(0)
    db.version += 1 // unannounced: the safety net finds it
    await harness.clock.advance(60_000)
    expect(harness.realtime.selectors.selectAlert(harness.store.getState())).toMatchObject({ type: 'REALTIME_SILENT' })
    const missed = harness.realtime.selectors.selectMetrics(harness.store.getState()).eventsMissed
    announceItem(harness)
    await harness.clock.advance(100)
    expect(harness.state().sources).toEqual({})
    expect(harness.realtime.selectors.selectAlert(harness.store.getState())).toBe(false)
    db.version += 1
    announceItem(harness) // announced this time: the next refetch is no miss
    await harness.clock.advance(60_000)
    expect(harness.realtime.selectors.selectMetrics(harness.store.getState()).eventsMissed).toBe(missed)
  })
})
