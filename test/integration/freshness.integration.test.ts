import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Freshness } from '../../src/freshness/freshnessModel'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { waitFor } from '../support/waitFor'
import { SCHEMA_SQL, sql, startLibrary, type LibraryUnderTest } from './emulatorLibrary'

const BOUND_MS = 20_000

describe('per-query freshness and read-your-writes on the emulator, with real supabase-js', () => {
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

  /** The library, subscribed, with the cache loaded; `modes` records every mode the todos query went through. */
  async function ready() {
    const started = startLibrary(emulator)
    lib = started
    const freshness = (): Freshness =>
      started.realtime.selectors.selectFreshness('todos', undefined)(started.store.getState())
    const modes: string[] = []
    ;(started.store as unknown as { subscribe(listener: () => void): void }).subscribe(() => {
      const mode = freshness().mode
      if (modes.at(-1) !== mode) modes.push(mode)
    })
    await waitFor(() => freshness().mode === 'live' && started.cachedTodos() !== undefined, {
      timeoutMs: 15_000,
      message: 'live and loaded',
    })
    return { library: started, freshness, modes }
  }

  it('blackhole: live, then polling once the silence is noticed, catching up on the rejoin, then live', async () => {
    const { library, freshness, modes } = await ready()
    expect(freshness()).toMatchObject({ staleSince: null, pendingWrites: 0 })
    const confirmedBefore = freshness().lastConfirmedAt!
    emulator.faults.blackhole(true)
    await waitFor(() => freshness().mode === 'polling', { timeoutMs: BOUND_MS, message: 'polling after the silence' })
    expect(freshness().staleSince).not.toBeNull()
    expect(freshness().pollIntervalMs).toBeGreaterThan(0)
    emulator.faults.blackhole(false)
    await waitFor(() => freshness().mode === 'live' && library.state().connection === 'connected', {
      timeoutMs: BOUND_MS,
      message: `live again; modes ${JSON.stringify(modes)}`,
    })
    expect(modes).toEqual(expect.arrayContaining(['live', 'polling', 'catching-up']))
    expect(modes.indexOf('catching-up')).toBeGreaterThan(modes.indexOf('polling'))
    expect(freshness().lastConfirmedAt!).toBeGreaterThan(confirmedBefore)
  })

  it('kill switch: polling while disabled, and a write is visible through the poll alone', async () => {
    const { library, freshness } = await ready()
    library.store.dispatch(library.realtime.actions.disable())
    await waitFor(() => freshness().mode === 'polling', { message: 'polling while disabled' })
    expect(freshness().pollIntervalMs).toBeGreaterThan(0)

    const wait = library.realtime.whenVisible({ table: 'todos', key: 500, timeoutMs: BOUND_MS })
    expect(freshness().pendingWrites).toBe(1)
    await sql(emulator, "insert into todos (id, title) values (500, 'polled')")
    expect(await wait).toBe('visible')
    expect(library.cachedTodos()?.map((todo) => todo.title)).toEqual(['polled'])
    expect(freshness().pendingWrites).toBe(0)

    library.store.dispatch(library.realtime.actions.enable())
    await waitFor(() => freshness().mode === 'live', { timeoutMs: BOUND_MS, message: 'live after enable' })
  })

  it('read-your-writes through realtime: the row arrives by postgres_changes, well before the timeout', async () => {
    const { library, freshness } = await ready()
    const wait = library.realtime.whenVisible({ table: 'todos', key: 700 })
    expect(freshness().pendingWrites).toBe(1)
    await sql(emulator, "insert into todos (id, title) values (700, 'live write')")
    expect(await wait).toBe('visible')
    expect(library.state().metrics.eventsRouted).toBeGreaterThanOrEqual(1)
    expect(freshness()).toMatchObject({ mode: 'live', pendingWrites: 0 })
  })

  it('read-your-writes times out when the row never comes, and invalidates the covering tags', async () => {
    const { library } = await ready()
    const fetches = library.counter.fetches
    expect(await library.realtime.whenVisible({ table: 'todos', key: 999, timeoutMs: 500 })).toBe('timed-out')
    await waitFor(() => library.counter.fetches > fetches, { message: 'refetched after the timeout' })
  })
})
