import { systemClock, type Clock } from './clock'
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
  }
}
