/**
 * Shared helpers of the benchmarks: wall-clock measurement (performance.now), percentiles,
 * real sleeps, and a WebSocket (the `ws` package) that counts what a client does on the wire.
 */
import { setTimeout as sleepFor } from 'node:timers/promises'
import WebSocket from 'ws'
import { constantSignal } from '../src/env/signal'
import type { RealtimeEnvironment } from '../src/env/environment'

export const now = (): number => performance.now()

export const sleep = (ms: number): Promise<void> => sleepFor(Math.max(0, ms)).then(() => undefined)

/** Lets every pending microtask and immediate run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Polls `predicate` every `everyMs` until it holds; resolves false after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const deadline = now() + timeoutMs
  while (!predicate()) {
    if (now() > deadline) return false
    await sleep(everyMs)
  }
  return true
}

/** The q-quantile (0..1) of ascending samples, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}

export interface Summary {
  n: number
  p50: number
  p95: number
  max: number
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  return { n: sorted.length, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted.at(-1) ?? Number.NaN }
}

export const round = (value: number, digits = 1): number =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value

/** The environment every benchmarked instance gets: real clock and randomness, always visible and online, errors only. */
export function benchEnv(overrides: Partial<RealtimeEnvironment> = {}): Partial<RealtimeEnvironment> {
  return {
    visibility: constantSignal(true),
    online: constantSignal(true),
    logSink: () => undefined,
    logLevel: 'error',
    ...overrides,
  }
}

/** What one population of clients did on the wire, as seen from inside their WebSocket objects. */
export interface WireCounter {
  /** performance.now() of every `new WebSocket` (a connection attempt). */
  connectAttempts: number[]
  /** performance.now() of every `phx_join` frame sent. */
  joins: number[]
  /** Sockets constructed and not yet closed. */
  open: number
}

export function wireCounter(): WireCounter {
  return { connectAttempts: [], joins: [], open: 0 }
}

/**
 * A `ws` WebSocket class that records connection attempts and join frames in `counter`. Passed
 * to supabase-js as `realtime.transport`: supabase-js (phoenix) opens every socket with
 * `new transport(url)` and sends every frame with `send`, so nothing escapes the count.
 */
export function countingWebSocket(counter: WireCounter): typeof globalThis.WebSocket {
  class CountingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      counter.connectAttempts.push(now())
      counter.open += 1
      this.once('close', () => {
        counter.open -= 1
      })
    }

    override send(data: unknown, ...rest: unknown[]): void {
      if (typeof data === 'string' && data.includes('"phx_join"')) counter.joins.push(now())
      ;(WebSocket.prototype.send as (...args: unknown[]) => void).call(this, data, ...rest)
    }
  }
  return CountingWebSocket as unknown as typeof globalThis.WebSocket
}

/** Largest number of `times` falling in one `binMs` bin of [from, to). */
export function peakPerBin(times: readonly number[], from: number, to: number, binMs = 100): number {
  const bins = new Map<number, number>()
  for (const time of times) {
    if (time < from || time >= to) continue
    const bin = Math.floor((time - from) / binMs)
    bins.set(bin, (bins.get(bin) ?? 0) + 1)
  }
  let peak = 0
  for (const count of bins.values()) peak = Math.max(peak, count)
  return peak
}

export const countIn = (times: readonly number[], from: number, to: number): number =>
  times.filter((time) => time >= from && time < to).length
