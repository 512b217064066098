import type { BaseQueryApi, BaseQueryFn, FetchArgs } from '@reduxjs/toolkit/query'
import { createApi } from '@reduxjs/toolkit/query'
import { afterEach, describe, expect, it } from 'vitest'
import type { ConnectionState } from '../../src/policy/connectionTransition'
import { withNoStore } from '../../src/router/withNoStore'
import { createHarness, type Harness } from '../support/harness'

/** A fetchBaseQuery stand-in that records the arguments of every request. */
function recordingBaseQuery() {
  const requests: Array<string | FetchArgs> = []
  const baseQuery: BaseQueryFn<string | FetchArgs, unknown, { status: number }> = async (args) => {
    requests.push(args)
    return { data: { ok: true } }
  }
  return { requests, baseQuery }
}

describe('withNoStore (unit)', () => {
  const apiFor = (connection: ConnectionState) => ({ getState: () => ({ connection }) }) as unknown as BaseQueryApi
  const select = (root: unknown) => (root as { connection: ConnectionState }).connection

  it('passes the arguments through untouched while connected', async () => {
    const { requests, baseQuery } = recordingBaseQuery()
    const wrapped = withNoStore(baseQuery, select)
    const args = { url: '/items', method: 'GET' }
    await wrapped('/items/1', apiFor('connected'), {})
    await wrapped(args, apiFor('connected'), {})
    expect(requests).toEqual(['/items/1', args])
    expect(requests[1]).toBe(args)
  })

  it.each<ConnectionState>(['disabled', 'idle', 'connecting', 'reconnecting', 'suspended', 'failed'])(
    'adds cache: no-store while %s, without mutating the arguments',
    async (connection) => {
      const { requests, baseQuery } = recordingBaseQuery()
      const wrapped = withNoStore(baseQuery, select)
      const args: FetchArgs = { url: '/items', method: 'POST', body: { a: 1 } }
      await wrapped('/items/1', apiFor(connection), {})
      await wrapped(args, apiFor(connection), {})
      expect(requests).toEqual([
        { url: '/items/1', cache: 'no-store' },
        { url: '/items', method: 'POST', body: { a: 1 }, cache: 'no-store' },
      ])
      expect(args).toEqual({ url: '/items', method: 'POST', body: { a: 1 } })
    },
  )
})

describe('withNoStore on a real store', () => {
  let harness: Harness | null = null
  afterEach(() => {
    harness?.stop()
    harness = null
  })

  it('sends cache: no-store only while realtime is down', async () => {
    const sent: Array<{ args: string | FetchArgs; connection: ConnectionState }> = []
    // Bound once the harness exists (the api has to be built first).
    let selectConnection: (root: unknown) => ConnectionState = () => 'idle'
    const baseQuery: BaseQueryFn<string | FetchArgs, unknown, { status: number }> = async (args, queryApi) => {
      sent.push({ args, connection: selectConnection(queryApi.getState()) })
      return { data: { ok: true } }
    }
    const api = createApi({
      reducerPath: 'itemsApi',
      baseQuery: withNoStore(baseQuery, (root) => selectConnection(root)),
      tagTypes: ['Items'],
      endpoints: (build) => ({
        items: build.query<unknown, string>({ query: (id) => `/items/${id}`, providesTags: ['Items'] }),
      }),
    })
    harness = createHarness({ api, routes: [] })
    selectConnection = harness.realtime.selectors.selectConnectionState
    harness.realtime.subscribe({
      topic: 'items',
      postgres: [{ event: '*', schema: 'public', table: 'items' }],
      tags: ['Items'],
    })
    await harness.clock.advance(100)
    harness.store.dispatch(api.endpoints.items.initiate('1') as never)
    await harness.clock.advance(0)
    harness.transport.connectBehavior = 'refuse'
    harness.transport.dropSocket()
    // Dead-mode polls refetch the query while down.
    await harness.clock.advance(12_000)
    harness.transport.connectBehavior = 'open'
    await harness.clock.advance(30_000)
    harness.store.dispatch(api.util.invalidateTags(['Items']))
    await harness.clock.advance(0)

    const whileDown = sent.filter((request) => request.connection !== 'connected')
    const whileUp = sent.filter((request) => request.connection === 'connected')
    expect(whileDown.length).toBeGreaterThanOrEqual(2)
    expect(whileUp.length).toBeGreaterThanOrEqual(2)
    for (const request of whileDown) expect(request.args).toEqual({ url: '/items/1', cache: 'no-store' })
    for (const request of whileUp) expect(request.args).toBe('/items/1')
  })
})
