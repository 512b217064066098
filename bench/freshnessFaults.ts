/**
 * Freshness through the two faults of issue 18, each beside RTK Query `pollingInterval: 5000`
 * alone (c), on the same emulator, Postgres and supabase-js as the rest of the freshness section:
 *
 *  - slow link: the emulator paces server→client realtime bytes to 100 B/s (`faults.slowLink`)
 *    while INSERTs arrive; PostgREST reads are not slowed.
 *  - token expiry: the library's client gets short-lived user tokens from the emulator
 *    (`emulator.tokenSource`, the `accessToken` option) and INSERTs arrive across several expiries;
 *    the server shuts a channel down when its token expires unless a fresh one was pushed.
 *    A hand-rolled channel per component (d) on the same kind of client is recorded too.
 *
 * Every phase starts fresh observers (the library with its defaults) so that no state carries over.
 */
import pg from 'pg'
import type { RealtimeEmulator } from '../src/testing/index'
import { handRolledObserver, libraryObserver, Observer, result, stockClient, write, type ModeResult } from './freshness'
import type { Figure } from './report'
import { now, waitUntil } from './support'

const BYTES_PER_SECOND = 100
const POLLING_MS = 5_000

interface Phase {
  library: ModeResult
  polling: ModeResult
  handRolled?: ModeResult
  /** From the fault's end until the library was connected with its channel subscribed again (null: not within the drain). */
  backAfterMs?: number | null
}

function subscribedNow(library: ReturnType<typeof libraryObserver>): boolean {
  const state = library.observer.store.getState()
  return (
    library.realtime.selectors.selectConnectionState(state) === 'connected' &&
    library.realtime.selectors.selectChannel('items')(state)?.state === 'subscribed'
  )
}

/** Starts (c) beside an observer set, waits for everything to load and the library to subscribe. */
async function ready(library: ReturnType<typeof libraryObserver>, others: Observer[], what: string): Promise<void> {
  const loaded = await waitUntil(
    () => library.observer.loaded() && others.every((observer) => observer.loaded()) && subscribedNow(library),
    15_000,
  )
  if (!loaded) throw new Error(`freshness bench (${what}): the observers did not load and subscribe within 15 s`)
}

async function stopPolling(polling: Observer): Promise<void> {
  polling.unmount()
  await polling.client.removeAllChannels().catch(() => undefined)
  await polling.client.realtime.disconnect().catch(() => undefined)
}

/** INSERTs spread over a slow link of `ms`, then the drain; realtime back is timed from the link healing. */
async function slowLinkPhase(
  emulator: RealtimeEmulator,
  db: pg.Client,
  { writes, ms, drainMs }: { writes: number; ms: number; drainMs: number },
): Promise<Phase> {
  const library = libraryObserver(emulator)
  const polling = new Observer('polling', stockClient(emulator))
  polling.mount(POLLING_MS)
  try {
    await ready(library, [polling], 'slow link')
    emulator.faults.slowLink({ bytesPerSecond: BYTES_PER_SECOND, ms })
    const healsAt = now() + ms
    await write(db, 'slow', writes, ms, [library.observer, polling])
    await waitUntil(
      () => library.observer.waiting() + polling.waiting() === 0 && now() >= healsAt,
      healsAt - now() + drainMs,
    )
    const back = await waitUntil(
      () => now() >= healsAt && subscribedNow(library),
      Math.max(0, healsAt + drainMs - now()),
    )
    return {
      library: result(library.observer),
      polling: result(polling),
      backAfterMs: back ? Math.round(Math.max(0, now() - healsAt)) : null,
    }
  } finally {
    emulator.faults.reset()
    await stopPolling(polling)
    await library.stop()
  }
}

/** INSERTs over `spanMs` while the library's tokens live `lifetimeMs` each. */
async function tokenExpiryPhase(
  emulator: RealtimeEmulator,
  db: pg.Client,
  { writes, spanMs, lifetimeMs, drainMs }: { writes: number; spanMs: number; lifetimeMs: number; drainMs: number },
): Promise<Phase> {
  const library = libraryObserver(emulator, stockClient(emulator, emulator.tokenSource({ lifetimeMs })))
  // Stock supabase-js can send its first join before the token callback has answered (then the
  // channel rides on the anon key and never expires); the app waits for the token, as a careful one does.
  const handClient = stockClient(emulator, emulator.tokenSource({ lifetimeMs }))
  await handClient.realtime.setAuth()
  const handRolled = handRolledObserver(emulator, handClient)
  const polling = new Observer('polling', stockClient(emulator))
  polling.mount(POLLING_MS)
  try {
    await ready(library, [polling, handRolled.observer], 'token expiry')
    await write(db, 'expiry', writes, spanMs, [library.observer, polling, handRolled.observer])
    await waitUntil(() => library.observer.waiting() + polling.waiting() === 0, drainMs)
    return { library: result(library.observer), polling: result(polling), handRolled: result(handRolled.observer) }
  } finally {
    await stopPolling(polling)
    await handRolled.stop()
    await library.stop()
  }
}

const BASELINE = '(c) RTK Query pollingInterval 5000 alone'

/** The slow-link and token-expiry rows of the freshness section. */
export async function runFaultFreshness(
  emulator: RealtimeEmulator,
  { quick }: { quick: boolean },
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const db = new pg.Client({ connectionString: emulator.databaseUrl })
  await db.connect()
  try {
    return await faultPhases(emulator, db, quick)
  } finally {
    await db.end()
  }
}

async function faultPhases(
  emulator: RealtimeEmulator,
  db: pg.Client,
  quick: boolean,
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const drainMs = quick ? 6_500 : 15_000
  const slow = { writes: quick ? 16 : 50, ms: quick ? 8_000 : 25_000, drainMs }
  const expiry = {
    writes: quick ? 20 : 60,
    spanMs: quick ? 8_000 : 30_000,
    lifetimeMs: quick ? 4_000 : 10_000,
    drainMs,
  }
  const slowLink = await slowLinkPhase(emulator, db, slow)
  const tokenExpiry = await tokenExpiryPhase(emulator, db, expiry)
  const rows = (label: string, phase: Phase): Figure[] => [
    {
      section: 'freshness',
      name: `commit → cache P50, ${label}`,
      value: phase.library.p50,
      unit: 'ms',
      baseline: { label: BASELINE, value: phase.polling.p50 },
    },
    {
      section: 'freshness',
      name: `commit → cache P95, ${label}`,
      value: phase.library.p95,
      unit: 'ms',
      baseline: { label: BASELINE, value: phase.polling.p95 },
      target: { op: '<=', value: 7_000 },
    },
    {
      section: 'freshness',
      name: `commit → cache max, ${label}`,
      value: phase.library.max,
      unit: 'ms',
      baseline: { label: BASELINE, value: phase.polling.max },
    },
  ]
  const slowLabel = `slow link (${BYTES_PER_SECOND} B/s for ${slow.ms / 1000} s)`
  const figures: Figure[] = [
    ...rows(slowLabel, slowLink),
    {
      section: 'freshness',
      name: `writes never cached within ${drainMs / 1000} s, ${slowLabel}`,
      value: slowLink.library.missed,
      unit: `of ${slow.writes}`,
      baseline: { label: BASELINE, value: slowLink.polling.missed },
      target: { op: '==', value: 0 },
    },
    {
      section: 'freshness',
      name: `realtime back (connected, subscribed) after the slow link healed`,
      value: slowLink.backAfterMs ?? Number.NaN,
      unit: 'ms',
      target: { op: '<=', value: 10_000 },
    },
    ...rows(`token expiry (tokens live ${expiry.lifetimeMs / 1000} s)`, tokenExpiry),
    {
      section: 'freshness',
      name: `writes never cached within ${drainMs / 1000} s, token expiry`,
      value: tokenExpiry.library.missed,
      unit: `of ${expiry.writes}`,
      baseline: { label: '(d) hand-rolled channel per component', value: tokenExpiry.handRolled?.missed ?? Number.NaN },
      target: { op: '==', value: 0 },
    },
  ]
  return {
    figures,
    details: {
      setup:
        `Slow link: ${slow.writes} INSERTs spread over ${slow.ms / 1000} s while faults.slowLink paces server→client realtime bytes to ${BYTES_PER_SECOND} B/s (PostgREST not slowed), drain ${drainMs / 1000} s. ` +
        `Token expiry: ${expiry.writes} INSERTs over ${expiry.spanMs / 1000} s; the library's and (d)'s clients take user tokens that live ${expiry.lifetimeMs / 1000} s from emulator.tokenSource. Fresh observers per phase, library defaults.`,
      slowLink,
      tokenExpiry,
    },
  }
}
