import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { captureUncaughtErrors } from '../support/mswRealtimeServer'
import { sleep, waitFor } from '../support/waitFor'
import { databaseTodos, SCHEMA_SQL, sql, startLibrary, type LibraryUnderTest } from './emulatorLibrary'

const CONVERGE_MS = 20_000

describe('the whole library survives every emulator fault and converges to the database', () => {
  let emulator: RealtimeEmulator
  let lib: LibraryUnderTest | null = null

  beforeAll(async () => {
    emulator = await startRealtimeEmulator({ setupSql: SCHEMA_SQL })
  })
  afterEach(async () => {
    emulator.faults.reset()
    await lib?.stop()
    lib = null
    await sql(emulator, 'truncate todos restart identity')
  })
  afterAll(async () => {
    await emulator.stop()
  })

  /** The library, subscribed, with the cache loaded. */
  async function ready(options: Parameters<typeof startLibrary>[1] = {}): Promise<LibraryUnderTest> {
    const started = startLibrary(emulator, options)
    lib = started
    await waitFor(() => started.state().channels.todos?.state === 'subscribed' && started.cachedTodos() !== undefined, {
      timeoutMs: 15_000,
      message: 'subscribed and loaded',
    })
    return started
  }

  const insert = (title: string) => sql(emulator, 'insert into todos (title) values ($1)', [title])

  /** The cache holds exactly the database's rows, the channel is joined and the connection is up. */
  async function converged(library: LibraryUnderTest): Promise<void> {
    const rows = await databaseTodos(emulator)
    await waitFor(
      async () => {
        const current = await databaseTodos(emulator)
        return (
          JSON.stringify(library.cachedTodos()) === JSON.stringify(current) &&
          library.state().channels.todos?.state === 'subscribed' &&
          library.state().connection === 'connected'
        )
      },
      {
        timeoutMs: CONVERGE_MS,
        intervalMs: 50,
        message: `cache converged to ${JSON.stringify(rows)}; saw ${JSON.stringify(library.cachedTodos())}, ${library.state().connection}, ${JSON.stringify(library.channelStates)}`,
      },
    )
    expect(library.errors).toEqual([])
  }

  it('dropAllSockets: reconnecting, then connected again; a row written during the outage reaches the cache', async () => {
    const library = await ready()
    emulator.faults.dropAllSockets()
    await insert('during the drop')
    await converged(library)
    expect(library.connections).toContain('reconnecting')
    expect(library.connections.at(-1)).toBe('connected')
    expect(library.cachedTodos()?.map((todo) => todo.title)).toEqual(['during the drop'])
  })

  it('refuseConnections: every refused attempt is a retry; the connection comes back when upgrades are accepted again', async () => {
    const library = await ready()
    emulator.faults.refuseConnections({ count: 3 })
    emulator.faults.dropAllSockets()
    await insert('while refused')
    await waitFor(() => library.state().attempt >= 2, { timeoutMs: CONVERGE_MS, message: 'retries counted' })
    expect(library.state().connection).toBe('reconnecting')
    await converged(library)
    expect(library.state().metrics.reconnections).toBeGreaterThanOrEqual(1)
  })

  it('blackhole: the liveness probe notices, the library reconnects once the server answers again', async () => {
    const library = await ready()
    emulator.faults.blackhole(true)
    await waitFor(() => library.state().connection === 'reconnecting', {
      timeoutMs: CONVERGE_MS,
      message: 'silence noticed',
    })
    await insert('in the black hole')
    emulator.faults.blackhole(false)
    await converged(library)
    expect(library.cachedTodos()).toHaveLength(1)
  })

  it('joinReplies drop: the channel errors while joins go unanswered, and joins again once they are answered', async () => {
    const library = await ready()
    emulator.faults.joinReplies('drop')
    emulator.faults.channelError('todos')
    await waitFor(() => library.state().channels.todos?.state === 'error', { timeoutMs: CONVERGE_MS })
    await insert('while joins are dropped')
    await waitFor(() => library.state().recentErrors.some((error) => error.type === 'TIMEOUT'), {
      timeoutMs: CONVERGE_MS,
      message: 'a rejoin timed out',
    })
    expect(library.state().channels.todos?.state).not.toBe('subscribed')
    emulator.faults.joinReplies(null)
    await converged(library)
  })

  it('joinReplies delay: a slow join still succeeds within the join timeout', async () => {
    const library = await ready()
    emulator.faults.joinReplies(500)
    emulator.faults.channelError('todos')
    await insert('slow join')
    await converged(library)
    expect(library.channelStates).toContain('error')
  })

  it('channelError: the channel errors, joins again, and catches up on the gap', async () => {
    const library = await ready()
    emulator.faults.channelError()
    await insert('after phx_error')
    await converged(library)
    expect(library.state().channels.todos?.joins).toBeGreaterThanOrEqual(2)
  })

  it('expireTokens: the channel is shut down and joins again with the next token', async () => {
    let token = emulator.signToken({ sub: 'user-1', generation: 0 })
    const library = await ready({ accessToken: async () => token })
    emulator.faults.expireTokens()
    token = emulator.signToken({ sub: 'user-1', generation: 1 }) // the auth provider refreshed
    await waitFor(() => library.channelStates.some((state) => state !== 'subscribed' && state !== 'subscribing'), {
      timeoutMs: CONVERGE_MS,
    })
    await insert('after expiry')
    await converged(library)
    // Read from the server's "Token has expired" message: a token expiry, rejoined at once, not a channel error.
    expect(library.realtime.selectors.selectMetrics(library.store.getState()).tokenExpiries).toBeGreaterThanOrEqual(1)
    const expiry = library.state().recentErrors.find((error) => error.type === 'AUTHENTICATION_FAILED')
    expect(expiry?.message).toMatch(/the access token expired and the server closed the channel/)
  })

  it('postgresChanges delay and drop: nothing looks down; delayed changes arrive, a dropped one is healed by the next', async () => {
    const library = await ready()
    emulator.faults.postgresChanges(1_000)
    await insert('delayed')
    await converged(library)
    emulator.faults.postgresChanges('drop')
    await insert('dropped')
    // Kept: the server answers nothing for a dropped change, and no frame shows it has read it yet.
    await sleep(500)
    expect(library.cachedTodos()).toHaveLength(1)
    emulator.faults.postgresChanges(null)
    await insert('heals')
    await converged(library)
    expect(library.cachedTodos()).toHaveLength(3)
    expect(library.connections.at(-1)).toBe('connected')
    expect(library.connections).not.toContain('reconnecting')
  })

  it('sendMalformedFrame: no uncaught exception; the frame is counted, the socket replaced, and the library stays fresh', async () => {
    const library = await ready()
    const uncaught = captureUncaughtErrors()
    try {
      emulator.faults.sendMalformedFrame('text')
      emulator.faults.sendMalformedFrame('shape')
      await waitFor(() => library.realtime.selectors.selectMetrics(library.store.getState()).framesMalformed >= 1, {
        message: 'the malformed frame was counted',
      })
      await insert('after the malformed frame')
      await converged(library)
    } finally {
      uncaught.restore()
    }
    expect(uncaught.errors).toEqual([])
  })

  it('restartServer: every socket closes, the server listens on the same port again, and the library comes back', async () => {
    const library = await ready()
    const url = emulator.url
    await emulator.faults.restartServer()
    await insert('across the restart')
    await converged(library)
    expect(emulator.url).toBe(url)
    expect(library.connections).toContain('reconnecting')
  })
})
