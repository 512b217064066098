/**
 * Reconnect storm on the local realtime emulator: N real supabase-js clients in this process,
 * each with one postgres_changes subscription. The emulator refuses every WebSocket upgrade for
 * the outage and drops every socket at its start. Connection attempts and join frames are
 * counted inside each client's WebSocket (`countingWebSocket`), so the figures are what the
 * clients sent, not what the server chose to log.
 *
 * - library: one `createRealtime` instance per client, library defaults (full-jitter backoff).
 * - stock:   `client.channel(topic).on(...).subscribe()`, supabase-js defaults (fixed 1/2/5/10 s).
 */
import { configureStore } from '@reduxjs/toolkit'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { createRealtime } from '../src/index'
import type { RealtimeEmulator } from '../src/testing/index'
import type { Figure } from './report'
import {
  benchEnv,
  countIn,
  countingWebSocket,
  now,
  peakPerBin,
  round,
  sleep,
  waitUntil,
  wireCounter,
  type WireCounter,
} from './support'

type Kind = 'library' | 'stock'

interface Population {
  kind: Kind
  counter: WireCounter
  size: number
  /** Per client: subscribed right now. */
  subscribed: boolean[]
  /** Per client: when it reported a loss after the outage began. */
  lostAt: Array<number | null>
  /** Per client: when it was subscribed again after that loss. */
  backAt: Array<number | null>
  stop(): Promise<void>
}

const BINDING = { event: '*', schema: 'public', table: 'items' } as const

function client(emulator: RealtimeEmulator, counter: WireCounter): SupabaseClient {
  return createClient(emulator.url, emulator.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: countingWebSocket(counter) },
  })
}

function population(kind: Kind, size: number): Population {
  return { kind, counter: wireCounter(), size, subscribed: [], lostAt: [], backAt: [], stop: async () => undefined }
}

/** Records a client's status; `since` is when the outage began (null before it). */
function report(pop: Population, index: number, subscribed: boolean, since: () => number | null): void {
  pop.subscribed[index] = subscribed
  const outageStart = since()
  if (outageStart === null) return
  if (!subscribed && pop.lostAt[index] === null) pop.lostAt[index] = now()
  if (subscribed && pop.lostAt[index] !== null && pop.backAt[index] === null) pop.backAt[index] = now()
}

function startLibraryPopulation(emulator: RealtimeEmulator, size: number, since: () => number | null): Population {
  const pop = population('library', size)
  const stops: Array<() => Promise<void>> = []
  for (let index = 0; index < size; index += 1) {
    pop.subscribed.push(false)
    pop.lostAt.push(null)
    pop.backAt.push(null)
    const supabase = client(emulator, pop.counter)
    const realtime = createRealtime({ client: supabase, env: benchEnv() })
    const store = configureStore({
      reducer: { realtime: realtime.reducer },
      middleware: (gDM) => gDM({ serializableCheck: false, immutableCheck: false }).concat(realtime.middleware),
    })
    const topic = `storm-library-${index}`
    const selectChannel = realtime.selectors.selectChannel(topic)
    let last: string | undefined
    store.subscribe(() => {
      const state = selectChannel(store.getState())?.state
      if (state === last) return
      last = state
      report(pop, index, state === 'subscribed', since)
    })
    const stopSaga = realtime.start(store)
    const handle = realtime.subscribe({ topic, postgres: [BINDING] })
    stops.push(async () => {
      handle.unsubscribe()
      stopSaga()
      await supabase.removeAllChannels().catch(() => undefined)
      await supabase.realtime.disconnect().catch(() => undefined)
    })
  }
  pop.stop = async () => {
    await Promise.all(stops.map((stop) => stop()))
  }
  return pop
}

function startStockPopulation(emulator: RealtimeEmulator, size: number, since: () => number | null): Population {
  const pop = population('stock', size)
  const clients: SupabaseClient[] = []
  for (let index = 0; index < size; index += 1) {
    pop.subscribed.push(false)
    pop.lostAt.push(null)
    pop.backAt.push(null)
    const supabase = client(emulator, pop.counter)
    clients.push(supabase)
    supabase
      .channel(`storm-stock-${index}`)
      .on('postgres_changes', BINDING, () => undefined)
      .subscribe((status) => report(pop, index, status === 'SUBSCRIBED', since))
  }
  pop.stop = async () => {
    await Promise.all(
      clients.map(async (supabase) => {
        await supabase.removeAllChannels().catch(() => undefined)
        await supabase.realtime.disconnect().catch(() => undefined)
      }),
    )
  }
  return pop
}

interface StormFigures {
  clients: number
  outageMs: number
  peakConnectsPer100msDuringOutage: number
  peakJoinsPer100msDuringOutage: number
  peakConnectsPer100msAfterReturn: number
  peakJoinsPer100msAfterReturn: number
  connectAttemptsDuringOutage: number
  connectAttemptsAfterReturn: number
  joinsAfterReturn: number
  /** From the moment the emulator accepts upgrades again; NaN if never reached in the window. */
  msTo95PercentAfterReturn: number
  msTo100PercentAfterReturn: number
  back: number
  /** Connection attempts per second from the start of the outage (the shape of the storm). */
  connectsPerSecond: number[]
  /** Clients subscribed again per second after the return. */
  backPerSecondAfterReturn: number[]
}

function perSecond(times: readonly number[], from: number, to: number): number[] {
  const bins = Array.from({ length: Math.max(0, Math.ceil((to - from) / 1000)) }, () => 0)
  for (const time of times) {
    const bin = Math.floor((time - from) / 1000)
    if (bin >= 0 && bin < bins.length) bins[bin] = (bins[bin] as number) + 1
  }
  return bins
}

function summarizeStorm(pop: Population, outageStart: number, outageMs: number, end: number): StormFigures {
  const returnAt = outageStart + outageMs
  const backTimes = pop.backAt.filter((at): at is number => at !== null).sort((a, b) => a - b)
  const reach = (fraction: number) => {
    const needed = Math.ceil(fraction * pop.size)
    const at = backTimes[needed - 1]
    return at === undefined ? Number.NaN : Math.max(0, Math.round(at - returnAt))
  }
  const { connectAttempts, joins } = pop.counter
  return {
    clients: pop.size,
    outageMs,
    peakConnectsPer100msDuringOutage: peakPerBin(connectAttempts, outageStart, returnAt),
    peakJoinsPer100msDuringOutage: peakPerBin(joins, outageStart, returnAt),
    peakConnectsPer100msAfterReturn: peakPerBin(connectAttempts, returnAt, end + 1),
    peakJoinsPer100msAfterReturn: peakPerBin(joins, returnAt, end + 1),
    connectAttemptsDuringOutage: countIn(connectAttempts, outageStart, returnAt),
    connectAttemptsAfterReturn: countIn(connectAttempts, returnAt, end + 1),
    joinsAfterReturn: countIn(joins, returnAt, end + 1),
    msTo95PercentAfterReturn: reach(0.95),
    msTo100PercentAfterReturn: reach(1),
    back: backTimes.length,
    connectsPerSecond: perSecond(connectAttempts, outageStart, end),
    backPerSecondAfterReturn: perSecond(backTimes, returnAt, end),
  }
}

/** One outage over the given populations (run together when there are several). */
async function storm(
  emulator: RealtimeEmulator,
  kinds: Kind[],
  size: number,
  outageMs: number,
  recoveryWindowMs: number,
): Promise<Record<Kind, StormFigures>> {
  let outageStart: number | null = null
  const since = () => outageStart
  const pops = kinds.map((kind) =>
    kind === 'library' ? startLibraryPopulation(emulator, size, since) : startStockPopulation(emulator, size, since),
  )
  try {
    const ready = await waitUntil(() => pops.every((pop) => pop.subscribed.every(Boolean)), 60_000, 20)
    if (!ready)
      throw new Error(
        `storm bench: not every client subscribed within 60 s (${pops.map((pop) => `${pop.kind} ${pop.subscribed.filter(Boolean).length}/${size}`).join(', ')})`,
      )
    await sleep(500)
    outageStart = now()
    emulator.faults.refuseConnections({ ms: outageMs })
    emulator.faults.dropAllSockets()
    const returnAt = outageStart + outageMs
    await sleep(outageMs)
    await waitUntil(
      () => pops.every((pop) => pop.backAt.every((at) => at !== null)),
      Math.max(0, returnAt + recoveryWindowMs - now()),
      20,
    )
    const end = now()
    const result = {} as Record<Kind, StormFigures>
    for (const pop of pops) result[pop.kind] = summarizeStorm(pop, outageStart, outageMs, end)
    return result
  } finally {
    emulator.faults.reset()
    for (const pop of pops) await pop.stop()
    await sleep(200)
  }
}

export async function runStormBench(
  emulator: RealtimeEmulator,
  { quick }: { quick: boolean },
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const size = quick ? 50 : 200
  const outageMs = quick ? 5_000 : 20_000
  const recoveryWindowMs = quick ? 15_000 : 40_000
  // Full: one population at a time (nothing else on the event loop). Quick: both under the same outage, to save time.
  let library: StormFigures
  let stock: StormFigures
  if (quick) {
    ;({ library, stock } = await storm(emulator, ['library', 'stock'], size, outageMs, recoveryWindowMs))
  } else {
    library = (await storm(emulator, ['library'], size, outageMs, recoveryWindowMs)).library
    stock = (await storm(emulator, ['stock'], size, outageMs, recoveryWindowMs)).stock
  }
  const five = { op: '>=' as const, value: 5, ratioToBaseline: true }
  const stockLabel = 'stock supabase-js defaults'
  const figures: Figure[] = [
    {
      section: 'storm',
      name: `peak connection attempts per 100 ms during the ${outageMs / 1000} s outage (${size} clients)`,
      value: library.peakConnectsPer100msDuringOutage,
      unit: '',
      baseline: { label: stockLabel, value: stock.peakConnectsPer100msDuringOutage },
      target: five,
    },
    {
      section: 'storm',
      name: 'peak connection attempts per 100 ms after the server returns',
      value: library.peakConnectsPer100msAfterReturn,
      unit: '',
      baseline: { label: stockLabel, value: stock.peakConnectsPer100msAfterReturn },
      target: five,
    },
    {
      section: 'storm',
      name: 'peak join attempts per 100 ms after the server returns',
      value: library.peakJoinsPer100msAfterReturn,
      unit: '',
      baseline: { label: stockLabel, value: stock.peakJoinsPer100msAfterReturn },
      target: five,
    },
    {
      section: 'storm',
      name: 'peak join attempts per 100 ms during the outage',
      value: library.peakJoinsPer100msDuringOutage,
      unit: '',
      baseline: { label: stockLabel, value: stock.peakJoinsPer100msDuringOutage },
    },
    {
      section: 'storm',
      name: 'connection attempts during the outage',
      value: library.connectAttemptsDuringOutage,
      unit: '',
      baseline: { label: stockLabel, value: stock.connectAttemptsDuringOutage },
    },
    {
      section: 'storm',
      name: '95% of clients subscribed again, after the server returns',
      value: round(library.msTo95PercentAfterReturn / 1000, 2),
      unit: 's',
      baseline: { label: stockLabel, value: round(stock.msTo95PercentAfterReturn / 1000, 2) },
      target: { op: '<=', value: 15 },
    },
    {
      section: 'storm',
      name: '100% of clients subscribed again, after the server returns',
      value: round(library.msTo100PercentAfterReturn / 1000, 2),
      unit: 's',
      baseline: { label: stockLabel, value: round(stock.msTo100PercentAfterReturn / 1000, 2) },
    },
  ]
  return {
    figures,
    details: {
      setup: `${size} supabase-js clients in one process, one postgres_changes channel each; the emulator drops every socket and refuses upgrades for ${outageMs / 1000} s; ${quick ? 'both populations under the same outage' : 'one population per outage'}; counts from inside each client's WebSocket; recovery window ${recoveryWindowMs / 1000} s after the return`,
      library,
      stock,
    },
  }
}
