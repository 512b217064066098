import { configureStore } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import { createRealtimeSlice, type RouterReport } from '../../src/slice/realtimeSlice'
import { createRealtimeSelectors } from '../../src/slice/selectors'
import { FakeClock } from '../support/fakeClock'

function setup() {
  const slice = createRealtimeSlice('realtime', true, new FakeClock(0))
  const store = configureStore({ reducer: { realtime: slice.reducer } })
  const selectors = createRealtimeSelectors('realtime')
  const report = (counts: Partial<RouterReport>) =>
    store.dispatch(
      slice.actions.routerReported({
        routed: 1,
        unmatched: 0,
        malformed: 0,
        issued: 0,
        coalesced: 0,
        errors: {},
        eventToInvalidationMs: [],
        eventToRefetchMs: [],
        ...counts,
      }),
    )
  const metrics = () => selectors.selectMetrics(store.getState())
  return { report, metrics }
}

describe('patch-mode metrics in the slice', () => {
  it('start at zero, with no fallback reasons', () => {
    const { metrics } = setup()
    expect(metrics()).toMatchObject({ rowsPatched: 0, patchesStale: 0, patchFallbacks: 0, patchFallbacksByReason: {} })
  })

  it('add up the patched rows, stale events and fallbacks of every router report, per reason too', () => {
    const { report, metrics } = setup()
    report({
      rowsPatched: 2,
      patchesStale: 1,
      patchFallbacks: 2,
      patchFallbacksByReason: { PAYLOAD_ERRORS: 1, MISSING_COLUMNS: 1 },
    })
    report({ rowsPatched: 1, patchesStale: 0, patchFallbacks: 1, patchFallbacksByReason: { MISSING_COLUMNS: 1 } })
    expect(metrics()).toMatchObject({
      rowsPatched: 3,
      patchesStale: 1,
      patchFallbacks: 3,
      patchFallbacksByReason: { PAYLOAD_ERRORS: 1, MISSING_COLUMNS: 2 },
    })
  })

  it('leave the patch counters alone for a report without them (a pass that patched nothing)', () => {
    const { report, metrics } = setup()
    report({ rowsPatched: 1 })
    report({})
    expect(metrics()).toMatchObject({
      eventsRouted: 2,
      rowsPatched: 1,
      patchesStale: 0,
      patchFallbacks: 0,
      patchFallbacksByReason: {},
    })
  })

  it('ignore counts that are not non-negative finite numbers (anyone can dispatch the action)', () => {
    const { report, metrics } = setup()
    report({
      rowsPatched: Number.NaN,
      patchesStale: -3,
      patchFallbacks: 'many' as never,
      patchFallbacksByReason: { NO_KEY: Number.POSITIVE_INFINITY, NO_ROW: 1, NO_ARGS: null as never },
    })
    report({ patchFallbacksByReason: 'PAYLOAD_ERRORS' as never })
    expect(metrics()).toMatchObject({
      rowsPatched: 0,
      patchesStale: 0,
      patchFallbacks: 0,
      patchFallbacksByReason: { NO_ROW: 1 },
    })
  })
})
