import type { Random } from './random'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Where log lines go. The default writes to `console`. */
export type LogSink = (level: LogLevel, line: string, context?: Record<string, unknown>) => void

/** A tagged, sampled logger. Context never carries tokens or row data (keys are redacted too). */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void
  info(message: string, context?: Record<string, unknown>): void
  warn(message: string, context?: Record<string, unknown>): void
  error(message: string, context?: Record<string, unknown>): void
  /** Logs only the first occurrence of `kind` (for example one line per kind of malformed event). */
  once(kind: string, level: LogLevel, message: string, context?: Record<string, unknown>): void
}

export interface LoggerOptions {
  /** `[RealtimeCore]` or `[InvalidationRouter]`. */
  tag: string
  sink: LogSink
  /** Lowest level written. */
  level: LogLevel
  /** Fraction of debug/info/warn lines kept (errors are always kept). 1 in development. */
  sampleRate: number
  random: Random
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }
const SECRET_KEY = /token|jwt|apikey|api_key|authorization|password|secret/i
const MAX_REMEMBERED_KINDS = 256

/**
 * What may be logged of an error thrown by app code (a route, an onMessage callback): its
 * name only. Its message is the app's own text and may carry row data.
 */
export function thrownKind(error: unknown): string {
  return error instanceof Error ? error.name : typeof error
}

export const consoleSink: LogSink = (level, line, context) => {
  const write =
    level === 'debug'
      ? console.debug
      : level === 'info'
        ? console.info
        : level === 'warn'
          ? console.warn
          : console.error
  if (context === undefined) write(line)
  else write(line, context)
}

export const silentSink: LogSink = () => undefined

function redact(context: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!context) return undefined
  const safe: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(context)) safe[key] = SECRET_KEY.test(key) ? '[redacted]' : value
  return safe
}

export function createLogger(options: LoggerOptions): Logger {
  const seenKinds = new Set<string>()
  const write = (level: LogLevel, message: string, context?: Record<string, unknown>, sampled = true) => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[options.level]) return
    if (sampled && level !== 'error' && options.sampleRate < 1 && options.random() >= options.sampleRate) return
    options.sink(level, `${options.tag} ${message}`, redact(context))
  }
  return {
    debug: (m, c) => write('debug', m, c),
    info: (m, c) => write('info', m, c),
    warn: (m, c) => write('warn', m, c),
    error: (m, c) => write('error', m, c),
    once(kind, level, message, context) {
      if (seenKinds.has(kind)) return
      const remembered = seenKinds.size < MAX_REMEMBERED_KINDS
      if (remembered) seenKinds.add(kind)
      // A remembered kind's first line is its only line: sampling it out would lose the kind.
      write(level, message, context, !remembered)
    },
  }
}
