import { describe, expect, it } from 'vitest'
import { createRealtime } from '../../src/core/createRealtime'
import type { LogLevel } from '../../src/env/logger'
import { FakeClock } from '../support/fakeClock'
import { FakeTransport } from '../support/fakeTransport'

// The count of distinct clients is process-wide: this file creates its instances in a known order.
const logs: Array<{ level: LogLevel; line: string }> = []
const env = {
  clock: new FakeClock(),
  logSink: (level: LogLevel, line: string) => logs.push({ level, line }),
  logLevel: 'debug' as const,
  logSampleRate: 1,
}
const secondClientWarnings = () =>
  logs.filter((log) => log.level === 'warn' && log.line.includes('a second Supabase client'))

describe('several realtime instances', () => {
  it('warns once about a second Supabase client, and never about instances sharing one', () => {
    const first = new FakeTransport()
    createRealtime({ transport: first, env })
    createRealtime({ transport: first, env })
    expect(secondClientWarnings()).toHaveLength(0)

    const second = new FakeTransport()
    createRealtime({ transport: second, env })
    expect(secondClientWarnings()).toHaveLength(1)
    expect(secondClientWarnings()[0]?.line).toMatch(/^\[RealtimeCore\] /)

    // The same second client again is nothing new.
    createRealtime({ transport: second, env })
    expect(secondClientWarnings()).toHaveLength(1)
  })
})
