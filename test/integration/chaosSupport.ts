/**
 * The pieces of the chaos test: a clock that counts its pending timers, a ledger of the rows
 * written with SQL and when the cache first showed each one, and the catalogue of emulator faults
 * a seeded random picks from.
 */
import type { Clock, TimerHandle } from '../../src/env/clock'
import type { Random } from '../../src/env/random'
import type { EmulatorFaults, MalformedFrameKind } from '../../src/testing/emulator/types'

/** The system clock (or any clock), counting the timers set through it and not yet fired or cleared. */
export function countingClock(base: Clock): { clock: Clock; pending: () => number } {
  const pending = new Set<TimerHandle>()
  const clock: Clock = {
    now: () => base.now(),
    setTimeout(callback, ms) {
      const handle = base.setTimeout(() => {
        pending.delete(handle)
        callback()
      }, ms)
      pending.add(handle)
      return handle
    },
    clearTimeout(handle) {
      pending.delete(handle)
      base.clearTimeout(handle)
    },
  }
  return { clock, pending: () => pending.size }
}

export interface Item {
  id: number
  title: string
}

/** One committed write: its row, what it left there (a title, or `null` for a delete), and when the cache first showed it. */
export interface Write {
  seq: number
  op: 'insert' | 'update' | 'delete'
  project: number
  id: number
  title: string | null
  committedAt: number
  reflectedAt: number | null
}

/** Rows are never moved between projects, titles are unique and a delete is final: a row's state names the write that made it. */
export class WriteLedger {
  readonly writes: Write[] = []
  private readonly byRow = new Map<number, Write[]>()
  private readonly pending = new Set<Write>()
  /** Rows of each project as the database has them (the model the writer picks from). */
  readonly rows = new Map<number, Map<number, string>>()

  constructor(projects: readonly number[]) {
    for (const project of projects) this.rows.set(project, new Map())
  }

  record(write: Omit<Write, 'seq' | 'reflectedAt'>): Write {
    const entry: Write = { ...write, seq: this.writes.length + 1, reflectedAt: null }
    this.writes.push(entry)
    this.pending.add(entry)
    const row = this.byRow.get(entry.id) ?? []
    row.push(entry)
    this.byRow.set(entry.id, row)
    const projectRows = this.rows.get(entry.project)!
    if (entry.title === null) projectRows.delete(entry.id)
    else projectRows.set(entry.id, entry.title)
    return entry
  }

  /** Whether `cached` (a project's rows in the cache) shows this write or a later one on the same row. */
  reflects(write: Write, cached: readonly Item[] | undefined): boolean {
    if (!cached) return false
    const title = cached.find((item) => item.id === write.id)?.title ?? null
    return (this.byRow.get(write.id) ?? []).some((later) => later.seq >= write.seq && later.title === title)
  }

  /** Marks the writes the cache now shows; `cacheOf(project)` is that project's cached rows. */
  observe(cacheOf: (project: number) => readonly Item[] | undefined, now: number): void {
    for (const write of this.pending) {
      if (!this.reflects(write, cacheOf(write.project))) continue
      write.reflectedAt = now
      this.pending.delete(write)
    }
  }

  /** The longest a write waited to reach the cache; writes still waiting count until `now`. */
  maxStallMs(now: number): number {
    return Math.max(0, ...this.writes.map((write) => (write.reflectedAt ?? now) - write.committedAt))
  }

  /** Writes whose effect the final cache does not show (neither it nor a later write on its row). */
  lost(cacheOf: (project: number) => readonly Item[] | undefined): Write[] {
    return this.writes.filter((write) => !this.reflects(write, cacheOf(write.project)))
  }
}

/** What the fault loop needs from the test: the faults, a bounded wait, a topic to aim at, a new token. */
export interface FaultContext {
  faults: EmulatorFaults
  random: Random
  /** Waits `ms`, or less if the chaos window ends first. */
  hold(ms: number): Promise<void>
  topics: readonly string[]
  /** The auth provider hands out a fresh token (after `expireTokens`). */
  refreshToken(): void
  /** A malformed frame went out (supabase-js throws on it). */
  malformedSent(): void
}

/** A whole number in [min, max], from `random`. */
export const between = (random: Random, min: number, max: number): number => Math.round(min + random() * (max - min))
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!
const MALFORMED: readonly MalformedFrameKind[] = ['text', 'binary', 'shape']

/** Every fault the emulator has; timed ones are lifted before the function returns. */
export interface Fault {
  name: string
  inject: (ctx: FaultContext) => Promise<void> | void
}

export const FAULTS: readonly Fault[] = [
  { name: 'drop sockets', inject: ({ faults }) => faults.dropAllSockets() },
  {
    name: 'refuse connections',
    inject: async ({ faults, random, hold }) => {
      const ms = random() < 0.5 ? null : between(random, 500, 3_000)
      faults.refuseConnections(ms === null ? { count: between(random, 1, 4) } : { ms })
      faults.dropAllSockets()
      if (ms !== null) await hold(ms)
    },
  },
  {
    name: 'blackhole',
    inject: async ({ faults, random, hold }) => {
      faults.blackhole(true)
      await hold(between(random, 1_000, 4_000))
      faults.blackhole(false)
    },
  },
  {
    name: 'delay joins',
    inject: async ({ faults, random, hold, topics }) => {
      faults.joinReplies(between(random, 200, 1_000))
      faults.channelError(pick(random, topics))
      await hold(between(random, 1_000, 3_000))
      faults.joinReplies(null)
    },
  },
  {
    name: 'drop joins',
    inject: async ({ faults, random, hold, topics }) => {
      faults.joinReplies('drop')
      faults.channelError(pick(random, topics))
      await hold(between(random, 1_000, 3_000))
      faults.joinReplies(null)
    },
  },
  {
    name: 'channel error',
    inject: ({ faults, random, topics }) => faults.channelError(random() < 0.3 ? undefined : pick(random, topics)),
  },
  {
    name: 'expire tokens',
    inject: ({ faults, refreshToken }) => {
      faults.expireTokens()
      refreshToken()
    },
  },
  {
    name: 'delay changes',
    inject: async ({ faults, random, hold }) => {
      faults.postgresChanges(between(random, 200, 2_000))
      await hold(between(random, 1_000, 4_000))
      faults.postgresChanges(null)
    },
  },
  {
    name: 'drop changes',
    inject: async ({ faults, random, hold }) => {
      faults.postgresChanges('drop')
      await hold(between(random, 1_000, 3_000))
      faults.postgresChanges(null)
    },
  },
  {
    name: 'malformed frame',
    inject: ({ faults, random, malformedSent }) => {
      faults.sendMalformedFrame(pick(random, MALFORMED))
      malformedSent()
    },
  },
  { name: 'restart server', inject: ({ faults }) => faults.restartServer() },
  {
    // Heals by itself after ms; the test's reset() lifts it if the chaos window ends first.
    name: 'slow link',
    inject: async ({ faults, random, hold }) => {
      const ms = between(random, 2_000, 8_000)
      faults.slowLink({ bytesPerSecond: 100, ms })
      await hold(ms)
    },
  },
  {
    // The auth provider is down across a token expiry; it hands out a fresh token once it is back.
    name: 'auth outage',
    inject: async ({ faults, random, hold, refreshToken }) => {
      const ms = between(random, 2_000, 8_000)
      faults.authOutage({ ms })
      faults.expireTokens()
      refreshToken()
      await hold(ms)
    },
  },
]

/** Draws faults in a seeded order that uses every kind once before any kind repeats (a short run still sees many kinds). */
export function faultDeck(random: Random): () => Fault {
  let deck: Fault[] = []
  return () => {
    if (deck.length === 0) {
      deck = [...FAULTS]
      for (let i = deck.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[deck[i], deck[j]] = [deck[j]!, deck[i]!]
      }
    }
    return deck.pop()!
  }
}
