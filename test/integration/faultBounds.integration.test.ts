/**
 * The bounds of freshnessBounds.integration.test.ts through every fault of the chaos run's deck,
 * one at a time: every active query equals the database within 7 s of each write, and realtime
 * is back within 10 s of the fault healing (60 s after an auth outage, 10 s plus the join timeout
 * after dropped joins). A fault heals when its `inject` returns (timed faults are lifted before
 * that). Library defaults, real time.
 */
import type { SupabaseClient } from '@supabase/supabase-js'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createSeededRandom } from '../../src/env/random'
import { startRealtimeEmulator } from '../../src/testing/index'
import type { RealtimeEmulator } from '../../src/testing/emulator/types'
import { captureUncaughtErrors } from '../support/mswRealtimeServer'
import { sleep, waitFor } from '../support/waitFor'
import {
  databaseItems,
  lateWrites,
  PROJECT,
  realtimeUp,
  startDefaultLibrary,
  watchCache,
  writeUntil,
  type DefaultLibrary,
} from './boundsSupport'
import { FAULTS, WriteLedger } from './chaosSupport'
import { emulatorClient, SCHEMA_SQL } from './emulatorLibrary'

const FRESH_MS = 7_000
const BACK_MS = 10_000
const BACK_AFTER_AUTH_MS = 60_000
/** A join dropped just before healing is answered only by its timeout (10 s, DESIGN §4), so this one gets that too. */
const JOIN_TIMEOUT_MS = 10_000
const backBound = (fault: string): number =>
  fault === 'auth outage' ? BACK_AFTER_AUTH_MS : fault === 'drop joins' ? BACK_MS + JOIN_TIMEOUT_MS : BACK_MS
const WRITE_EVERY_MS = 1_500
const BEFORE_MS = 2_000
const AFTER_MS = 3_000
const SEED = 20_261_201

describe('every fault of the chaos deck, one at a time: cached within 7 s of each write, realtime back within 10 s of healing', () => {
  let emulator: RealtimeEmulator
  let writer: pg.Client
  let library: DefaultLibrary | null = null
  const clients: SupabaseClient[] = []

  beforeAll(async () => {
    emulator = await startRealtimeEmulator({ setupSql: SCHEMA_SQL })
    writer = new pg.Client({ connectionString: emulator.databaseUrl })
    await writer.connect()
  })
  afterEach(async () => {
    emulator.faults.reset()
    await library?.stop()
    library = null
    for (const client of clients.splice(0)) await client.realtime.disconnect().catch(() => undefined)
    await writer.query('truncate todos restart identity')
  })
  afterAll(async () => {
    await writer?.end()
    await emulator?.stop()
  })

  it.each(FAULTS.map((fault) => [fault.name, fault] as const))(
    '%s',
    async (name, fault) => {
      // The realtime connection takes its tokens from the emulator's provider (down during an auth
      // outage); the public todos table is read with the anon key, so reads never need a token.
      const provider = emulator.tokenSource()
      let token = emulator.signToken({ sub: 'bounds', generation: 0 })
      const realtimeClient = emulatorClient(emulator, {}, async () => {
        await provider()
        return token
      })
      const reads = emulatorClient(emulator)
      clients.push(realtimeClient, reads)
      const lib = startDefaultLibrary(realtimeClient, reads)
      library = lib
      await waitFor(() => realtimeUp(lib) && lib.cachedTodos() !== undefined, {
        timeoutMs: 15_000,
        message: 'subscribed and loaded',
      })

      const ledger = new WriteLedger([PROJECT])
      const stopWatching = watchCache(lib, ledger)
      const uncaught = captureUncaughtErrors()
      let writing = true
      const writes = writeUntil(writer, ledger, () => !writing, WRITE_EVERY_MS)
      const backBoundMs = backBound(name)
      let backMs: number | null = null
      let generation = 0
      try {
        await sleep(BEFORE_MS)
        await fault.inject({
          faults: emulator.faults,
          random: createSeededRandom(SEED),
          hold: sleep,
          topics: ['todos'],
          refreshToken: () => void (token = emulator.signToken({ sub: 'bounds', generation: ++generation })),
          malformedSent: () => undefined,
        })
        const healedAt = performance.now()
        const committedAfterHeal = () =>
          new Set(
            ledger.writes
              .filter((write) => write.committedAt >= healedAt && write.title !== null)
              .map((write) => write.title),
          )
        await waitFor(
          () =>
            realtimeUp(lib) &&
            lib.delivered.some((change) => change.at >= healedAt && committedAfterHeal().has(change.title)),
          {
            timeoutMs: backBoundMs,
            intervalMs: 50,
          },
        ).then(
          () => (backMs = performance.now() - healedAt),
          () => undefined,
        )
        await sleep(AFTER_MS)
      } finally {
        writing = false
        await writes
        uncaught.restore()
      }
      const lastCommit = Math.max(...ledger.writes.map((write) => write.committedAt))
      await waitFor(() => ledger.writes.every((write) => write.reflectedAt !== null), {
        timeoutMs: Math.max(0, lastCommit + FRESH_MS + 500 - performance.now()),
      }).catch(() => undefined)
      stopWatching()
      const late = lateWrites(ledger, FRESH_MS, performance.now())
      console.log(
        `${name}: ${ledger.writes.length} writes, worst ${Math.round(ledger.maxStallMs(performance.now()))} ms to the cache, ${late.length} over ${FRESH_MS} ms; ` +
          `realtime back ${backMs === null ? 'not' : `${Math.round(backMs)} ms`} after healing; channel ${JSON.stringify(lib.channelStates)}`,
      )

      expect(late, `writes that took over ${FRESH_MS} ms to reach the cache`).toEqual([])
      expect(lib.cachedTodos()).toEqual(await databaseItems(writer))
      expect(
        backMs,
        `realtime back within ${backBoundMs} ms of healing; now: ${lib.state().connection}, ${lib.state().channels.todos?.state}`,
      ).not.toBeNull()
    },
    120_000,
  )
})
