import { createLogger, type LogLevel } from '../../src/env/logger'
import type { BroadcastEvent, PostgresChangesEvent, Row } from '../../src/events/events'

/** A postgres_changes event as the transport delivers it. */
export function pg(
  table: string,
  eventType: PostgresChangesEvent['eventType'],
  rows: { new?: Row; old?: Row },
  receivedAt = 1_000,
  topic = 'project:p1',
): PostgresChangesEvent {
  return {
    kind: 'postgres_changes',
    topic,
    receivedAt,
    schema: 'public',
    table,
    eventType,
    commitTimestamp: null,
    new: rows.new ?? null,
    old: rows.old ?? null,
  }
}

/** A broadcast event as the transport delivers it. */
export function bc(event: string, payload: unknown, receivedAt = 1_000, topic = 'project:p1'): BroadcastEvent {
  return { kind: 'broadcast', topic, receivedAt, event, payload }
}

/** A logger that keeps every line and its context. */
export function recordingLogger() {
  const lines: Array<{ level: LogLevel; line: string; context?: Record<string, unknown> }> = []
  const logger = createLogger({
    tag: '[InvalidationRouter]',
    sink: (level, line, context) => lines.push({ level, line, context }),
    level: 'debug',
    sampleRate: 1,
    random: () => 0,
  })
  return { logger, lines }
}
