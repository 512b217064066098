import { createApi, fakeBaseQuery } from '@reduxjs/toolkit/query'
import { afterEach, describe, expect, it } from 'vitest'
import { RealtimeError } from '../../src/errors/realtimeError'
import { createHarness, finishHarness, type Harness, tableSpec } from '../support/harness'

let harness: Harness | undefined
afterEach(() => {
  const finished = harness
  harness = undefined
  finishHarness(finished)
})

function readsApi() {
  return createApi({
    reducerPath: 'readsApi',
    baseQuery: fakeBaseQuery<{ message: string }>(),
    endpoints: (build) => ({ todos: build.query<number[], number>({ queryFn: () => ({ data: [1] }) }) }),
  })
}

/** A harness with an RTK Query api whose reads the test fires; realtime retries are slow (suspended). */
function withApi() {
  const api = readsApi()
  const h = createHarness({ api, routes: [], retry: { maxRetries: 0, suspendedRetryMs: 60_000 } })
  let n = 0
  const read = async () => {
    n += 1
    await h.store.dispatch(api.endpoints.todos.initiate(n) as never)
  }
  return { h, read }
}

describe('a successful read while realtime waits to retry', () => {
  it('cuts the wait short: the network is back (Node has no online signal)', async () => {
    const { h, read } = withApi()
    harness = h
    const { realtime, clock, transport } = h
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    transport.connectBehavior = 'refuse'
    transport.dropSocket()
    await clock.advance(0)
    expect(h.state().connection).toBe('suspended')
    const [scheduled] = h.payloadsOf(realtime.events.reconnectScheduled)
    expect(scheduled!.delayMs).toBeGreaterThan(10_000)
    const attempts = transport.connectAttempts

    transport.connectBehavior = 'open'
    await clock.advance(1_000)
    await read()
    await clock.advance(0)
    expect(transport.connectAttempts).toBe(attempts + 1)
    expect(h.state().connection).toBe('connected')
    expect(h.state().channels['project:1']?.state).toBe('subscribed')
  })

  it('retries at most once per 5 s however many reads succeed', async () => {
    const { h, read } = withApi()
    harness = h
    const { realtime, clock, transport } = h
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    transport.connectBehavior = 'refuse'
    transport.dropSocket()
    await clock.advance(0)
    const attempts = transport.connectAttempts
    // 20 s of reads every 250 ms while the socket stays refused.
    for (let i = 0; i < 80; i++) {
      await read()
      await clock.advance(250)
    }
    const retries = transport.connectAttempts - attempts
    expect(retries).toBeGreaterThanOrEqual(3)
    expect(retries).toBeLessThanOrEqual(5)
  })

  it('lifts a failed connection early too, and stays failed if it is still refused', async () => {
    const { h, read } = withApi()
    harness = h
    const { realtime, clock, transport } = h
    let accept = false
    transport.joinReply = () => (accept ? 'ok' : new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized'))
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    expect(h.state().connection).toBe('failed')
    accept = true
    await read()
    await clock.advance(100)
    expect(h.payloadsOf(realtime.events.failedRetryStarted)).toEqual([{ reason: 'read', at: expect.any(Number) }])
    expect(h.state().connection).toBe('connected')
  })

  it('changes nothing while connected, and nothing without an api', async () => {
    const { h, read } = withApi()
    harness = h
    const { realtime, clock, transport } = h
    realtime.subscribe(tableSpec('project:1'))
    await clock.advance(100)
    await read()
    await clock.advance(100)
    expect(transport.connectAttempts).toBe(1)
    expect(h.state().connection).toBe('connected')

    finishHarness(h)
    harness = createHarness({ retry: { maxRetries: 0, suspendedRetryMs: 60_000 } })
    harness.realtime.subscribe(tableSpec('project:1'))
    await harness.clock.advance(100)
    harness.transport.connectBehavior = 'refuse'
    harness.transport.dropSocket()
    await harness.clock.advance(0)
    const attempts = harness.transport.connectAttempts
    harness.store.dispatch({ type: 'readsApi/executeQuery/fulfilled' })
    await harness.clock.advance(1_000)
    expect(harness.transport.connectAttempts).toBe(attempts)
  })
})
