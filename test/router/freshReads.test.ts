import type { UnknownAction } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import type { RealtimeOptions } from '../../src/core/options'
import { silentSink } from '../../src/env/logger'
import { createCanonicalApi } from '../support/canonicalRoutes'
import { FakeClock } from '../support/fakeClock'
import { FakeTransport } from '../support/fakeTransport'
import { bc } from '../support/routerFixtures'
import { createRouterHarness, type RouterHarness } from '../support/routerHarness'

let h: RouterHarness | null = null
afterEach(() => {
  h?.stop()
  h = null
})

/** p1's topic joined, then p1's list mounted (after the join: no first-join catch-up). */
async function joined(options: Partial<RealtimeOptions> = {}) {
  h = createRouterHarness(options, { seed: 1 })
  h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
  await h.clock.advance(100)
  expect(h.state().channels['project:p1']?.state).toBe('subscribed')
  h.mount('projectGenerations', 'p1')
  await h.clock.advance(0)
  expect(h.fetches('projectGenerations', 'p1')).toBe(1)
  return h
}

/** The rejections of p1's reads that were aborted. */
function abortedReads(harness: RouterHarness) {
  return harness.actions.filter((action) => {
    const meta = (action as UnknownAction & { meta?: { aborted?: boolean; arg?: { endpointName?: string } } }).meta
    return (
      action.type === 'canonicalApi/executeQuery/rejected' &&
      meta?.aborted === true &&
      meta.arg?.endpointName === 'projectGenerations'
    )
  }).length
}

describe('an invalidation held by an unrelated request that hangs', () => {
  it('refetches the queries its tags cover within reads.maxHoldMs (1 s) instead of waiting for that request', async () => {
    const harness = await joined()
    harness.backend.holdEndpoint('shots')
    harness.mount('shots', 'p9')
    await harness.clock.advance(0)
    harness.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await harness.clock.advance(16)
    // RTK Query holds the invalidation while the shots read is pending.
    expect(harness.started('projectGenerations', 'p1')).toBe(1)
    await harness.clock.advance(1_000)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(2)
    expect(harness.fetches('shots', 'p9')).toBe(0)
    expect(harness.metrics().heldInvalidationRefetches).toBe(1)
    harness.backend.releaseEndpoint('shots')
  })

  it('drops nothing: an event during the direct refetch leads to one more refetch after it', async () => {
    const harness = await joined()
    harness.backend.holdEndpoint('shots')
    harness.mount('shots', 'p9')
    harness.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await harness.clock.advance(16)
    harness.backend.holdEndpoint('projectGenerations')
    await harness.clock.advance(1_000)
    expect(harness.started('projectGenerations', 'p1')).toBe(2)
    // The direct refetch is in flight; another event arrives for its tag.
    harness.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1', again: true }))
    await harness.clock.advance(2_000)
    harness.backend.releaseEndpoint('projectGenerations')
    await harness.clock.advance(2_000)
    expect(harness.started('projectGenerations', 'p1')).toBe(3)
    expect(harness.fetches('projectGenerations', 'p1')).toBe(3)
    harness.backend.releaseEndpoint('shots')
  })

  it('waits for no bound under invalidationBehavior immediately (RTK Query holds nothing then)', async () => {
    h = createRouterHarness({}, { seed: 1, invalidationBehavior: 'immediately' })
    h.subscribe('project:p1', [{ type: 'UnifiedGenerations', id: 'project:p1' }])
    await h.clock.advance(100)
    h.mount('projectGenerations', 'p1')
    h.backend.holdEndpoint('shots')
    h.mount('shots', 'p9')
    await h.clock.advance(0)
    h.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await h.clock.advance(16)
    expect(h.fetches('projectGenerations', 'p1')).toBe(2)
    await h.clock.advance(5_000)
    expect(h.fetches('projectGenerations', 'p1')).toBe(2)
    h.backend.releaseEndpoint('shots')
  })
})

describe('reads in flight when the link returns', () => {
  it('aborts a read that started before the network came back and starts a fresh one', async () => {
    const harness = await joined()
    harness.store.dispatch(harness.realtime.actions.setOnline(false))
    harness.backend.holdEndpoint('projectGenerations')
    harness.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await harness.clock.advance(3_000)
    expect(harness.started('projectGenerations', 'p1')).toBe(2)
    harness.store.dispatch(harness.realtime.actions.setOnline(true))
    await harness.clock.advance(0)
    expect(abortedReads(harness)).toBe(1)
    expect(harness.started('projectGenerations', 'p1')).toBeGreaterThanOrEqual(3)
    expect(harness.metrics().readsRestarted).toBe(1)
    harness.backend.releaseEndpoint('projectGenerations')
    await harness.clock.advance(0)
    const entry = harness.api.endpoints.projectGenerations.select('p1')(harness.store.getState() as never)
    expect(entry).toMatchObject({ status: 'fulfilled', isError: false })
  })

  it('aborts and restarts stuck reads when a dead connection is detected, and again on reconnect', async () => {
    const harness = await joined()
    harness.backend.holdEndpoint('projectGenerations')
    harness.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await harness.clock.advance(2_000)
    harness.transport.connectBehavior = 'refuse'
    harness.transport.dropSocket()
    await harness.clock.advance(0)
    expect(harness.state().connection).not.toBe('connected')
    expect(abortedReads(harness)).toBe(1)
    await harness.clock.advance(2_000)
    harness.transport.connectBehavior = 'open'
    await harness.clock.advance(30_000)
    expect(harness.state().connection).toBe('connected')
    expect(abortedReads(harness)).toBeGreaterThanOrEqual(2)
    harness.backend.releaseEndpoint('projectGenerations')
    await harness.clock.advance(0)
    expect(harness.api.endpoints.projectGenerations.select('p1')(harness.store.getState() as never).status).toBe(
      'fulfilled',
    )
  })

  it('has every active query fresh at once when the link returns, though each read was stuck', async () => {
    h = createRouterHarness({}, { seed: 1 })
    const harness = h
    harness.subscribe('project:p1', [
      { type: 'UnifiedGenerations', id: 'project:p1' },
      { type: 'Shots', id: 'p1' },
    ])
    await harness.clock.advance(100)
    harness.mount('projectGenerations', 'p1')
    harness.mount('shots', 'p1')
    await harness.clock.advance(0)
    harness.store.dispatch(harness.realtime.actions.setOnline(false))
    // The link drops at the IP level: every read from now on hangs until it returns.
    harness.backend.hold()
    harness.store.dispatch(harness.realtime.actions.recover())
    await harness.clock.advance(5_000)
    const before = { p1: harness.started('projectGenerations', 'p1'), shots: harness.started('shots', 'p1') }
    // The reads sent during the outage never complete; the link returns.
    harness.backend.strand()
    harness.store.dispatch(harness.realtime.actions.setOnline(true))
    await harness.clock.advance(0)
    expect(harness.started('projectGenerations', 'p1')).toBeGreaterThan(before.p1)
    expect(harness.started('shots', 'p1')).toBeGreaterThan(before.shots)
    await harness.clock.advance(2_000)
    for (const select of [
      harness.api.endpoints.projectGenerations.select('p1'),
      harness.api.endpoints.shots.select('p1'),
    ]) {
      expect(select(harness.store.getState() as never)).toMatchObject({ status: 'fulfilled', isError: false })
    }
  })

  it('forgets the requests in flight when the api is reset (an invalidation after it is not held)', async () => {
    const harness = await joined()
    harness.backend.holdEndpoint('shots')
    harness.mount('shots', 'p9')
    await harness.clock.advance(0)
    harness.store.dispatch(harness.api.util.resetApiState())
    harness.backend.releaseEndpoint('shots')
    harness.mount('projectGenerations', 'p1')
    await harness.clock.advance(0)
    const started = harness.started('projectGenerations', 'p1')
    harness.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await harness.clock.advance(5_000)
    // One refetch for the event, none more from a hold that does not exist.
    expect(harness.started('projectGenerations', 'p1')).toBe(started + 1)
  })

  it('leaves alone a read younger than 1 s (it cannot be stuck in a retransmission backoff yet)', async () => {
    const harness = await joined()
    harness.store.dispatch(harness.realtime.actions.setOnline(false))
    harness.backend.holdEndpoint('projectGenerations')
    harness.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await harness.clock.advance(500)
    harness.store.dispatch(harness.realtime.actions.setOnline(true))
    await harness.clock.advance(0)
    expect(abortedReads(harness)).toBe(0)
    harness.backend.releaseEndpoint('projectGenerations')
  })
})

describe('reads.timeoutMs', () => {
  it('aborts a refetch the router started that hangs, starts it once more, and leaves a second hang to the next poll', async () => {
    const harness = await joined({ reads: { timeoutMs: 3_000 } })
    harness.backend.holdEndpoint('projectGenerations')
    harness.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await harness.clock.advance(2_900)
    expect(abortedReads(harness)).toBe(0)
    await harness.clock.advance(200)
    expect(abortedReads(harness)).toBe(1)
    expect(harness.started('projectGenerations', 'p1')).toBe(3)
    await harness.clock.advance(3_000)
    expect(abortedReads(harness)).toBe(2)
    expect(harness.started('projectGenerations', 'p1')).toBe(3)
    expect(harness.metrics()).toMatchObject({ readsTimedOut: 2, readsRestarted: 1 })
    expect(harness.logs.some((entry) => entry.line.includes('timed out twice'))).toBe(true)
    harness.backend.releaseEndpoint('projectGenerations')
  })

  it("never aborts the app's own reads", async () => {
    h = createRouterHarness({ reads: { timeoutMs: 1_000 } }, { seed: 1 })
    h.backend.holdEndpoint('shots')
    h.mount('shots', 'p9')
    await h.clock.advance(10_000)
    expect(h.started('shots', 'p9')).toBe(1)
    expect(h.actions.some((action) => action.type === 'canonicalApi/executeQuery/rejected')).toBe(false)
    h.backend.releaseEndpoint('shots')
  })

  it('is off with 0', async () => {
    const harness = await joined({ reads: { timeoutMs: 0 } })
    harness.backend.holdEndpoint('projectGenerations')
    harness.emit(bc('GENERATIONS_UPDATED', { projectId: 'p1' }))
    await harness.clock.advance(120_000)
    expect(abortedReads(harness)).toBe(0)
    harness.backend.releaseEndpoint('projectGenerations')
  })
})

describe('reads options', () => {
  const env = { clock: new FakeClock(), logSink: silentSink }
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['reads as a string', { reads: 'fast' }, /\breads\b/],
    ['reads.timeoutMs -1', { reads: { timeoutMs: -1 } }, /reads\.timeoutMs/],
    ['reads.timeoutMs "10s"', { reads: { timeoutMs: '10s' } }, /reads\.timeoutMs/],
    ['reads.timeoutMs NaN', { reads: { timeoutMs: Number.NaN } }, /reads\.timeoutMs/],
    ['reads.maxHoldMs -5', { reads: { maxHoldMs: -5 } }, /reads\.maxHoldMs/],
    ['reads.maxHoldMs 120000', { reads: { maxHoldMs: 120_000 } }, /reads\.maxHoldMs/],
  ])('rejects %s with a TypeError naming the option', (_, bad, name) => {
    const create = () =>
      createRealtime({ transport: new FakeTransport(), api: createCanonicalApi(), env, ...bad } as RealtimeOptions)
    expect(create).toThrow(TypeError)
    expect(create).toThrow(name)
  })

  it('defaults to a 15 s read timeout and a 1 s hold bound', () => {
    const realtime = createRealtime({ transport: new FakeTransport(), env })
    expect(realtime.options.reads).toEqual({ timeoutMs: 15_000, maxHoldMs: 1_000 })
  })
})
