import { systemBroadcastChannel, type BroadcastChannelFactory } from './broadcast'
import { systemClock, type Clock } from './clock'
import { systemLocks, type LocksPort } from './locks'
import { consoleSink, type LogLevel, type LogSink } from './logger'
import { createNavigatorOnline } from './online'
import { systemRandom, type Random } from './random'
import type { SignalSource } from './signal'
import { createDocumentVisibility } from './visibility'

/**
 * Everything the library takes from the outside world. Pass your own pieces to
 * `createRealtime({ env })` in tests (fake clock, seeded random) or in non-browser hosts
 * (React Native's AppState as `visibility`).
 */
export interface RealtimeEnvironment {
  clock: Clock
  random: Random
  visibility: SignalSource
  online: SignalSource
  logSink: LogSink
  logLevel: LogLevel
  /** Fraction of non-error log lines kept. */
  logSampleRate: number
  /** Web Locks for cross-tab leader election; null (or absent) where there are none. */
  locks?: LocksPort | null
  /** Opens a channel to the other tabs of this origin; null (or absent) where there is none (SSR, Node). */
  broadcastChannel?: BroadcastChannelFactory | null
}

function isProduction(): boolean {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
  return proc?.env?.NODE_ENV === 'production'
}

/** The real environment, with any piece replaced by `overrides`. SSR-safe. */
export function createSystemEnvironment(overrides: Partial<RealtimeEnvironment> = {}): RealtimeEnvironment {
  const production = isProduction()
  return {
    clock: overrides.clock ?? systemClock,
    random: overrides.random ?? systemRandom,
    visibility: overrides.visibility ?? createDocumentVisibility(),
    online: overrides.online ?? createNavigatorOnline(),
    logSink: overrides.logSink ?? consoleSink,
    logLevel: overrides.logLevel ?? (production ? 'warn' : 'info'),
    logSampleRate: overrides.logSampleRate ?? (production ? 0.1 : 1),
    locks: overrides.locks !== undefined ? overrides.locks : systemLocks(),
    broadcastChannel: overrides.broadcastChannel !== undefined ? overrides.broadcastChannel : systemBroadcastChannel(),
  }
}
