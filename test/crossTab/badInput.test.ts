import { afterEach, describe, expect, it } from 'vitest'
import { MAX_RELAY_TAGS } from '../../src/crossTab/protocol'
import { createTabs } from './support/tabsHarness'

let world: ReturnType<typeof createTabs> | null = null
afterEach(() => {
  world?.stopAll()
  world = null
})

const CHANNEL = 'rtk-supabase-realtime:realtime'

const malformed: unknown[] = [
  null,
  'invalidate',
  [1, 2],
  { kind: 'invalidate', from: 'rogue', tags: [{ type: 'Todos', id: 'p1' }] },
  { v: 2, kind: 'invalidate', from: 'rogue', tags: [{ type: 'Todos', id: 'p1' }] },
  { v: 1, kind: 'takeover', from: 'rogue' },
  { v: 1, kind: 'invalidate', from: '', tags: [{ type: 'Todos', id: 'p1' }] },
  { v: 1, kind: 'invalidate', from: 'x'.repeat(65), tags: [{ type: 'Todos', id: 'p1' }] },
  { v: 1, kind: 'heartbeat', from: 'rogue', leader: 'yes', visible: true },
  { v: 1, kind: 'invalidate', from: 'rogue', tags: [] },
  { v: 1, kind: 'invalidate', from: 'rogue', tags: 'Todos' },
  { v: 1, kind: 'invalidate', from: 'rogue', tags: [{ type: 7 }] },
  { v: 1, kind: 'invalidate', from: 'rogue', tags: [{ type: 'Todos', id: { nested: true } }] },
  { v: 1, kind: 'invalidate', from: 'rogue', tags: [{ type: 'Todos', id: 'p'.repeat(10_000) }] },
  {
    v: 1,
    kind: 'invalidate',
    from: 'rogue',
    tags: Array.from({ length: MAX_RELAY_TAGS + 1 }, () => ({ type: 'Todos' })),
  },
  undefined,
]

describe('cross-tab bad input', () => {
  it('drops and counts every malformed message, logs once per kind, and keeps working', async () => {
    world = createTabs()
    const b = world.open('b')
    b.mount('todos', 'p1')
    await world.clock.advance(1_500)
    const rogue = world.browser.openTab('rogue').broadcastChannel(CHANNEL)
    for (const message of malformed) rogue.post(message)
    for (const message of malformed) rogue.post(message)
    await world.clock.advance(10)
    expect(b.crossTab()).toMatchObject({ relaysDropped: malformed.length * 2, relaysReceived: 0 })
    expect(b.fetches('todos:p1')).toBe(1)
    const dropLogs = b.logs.filter((log) => log.line.includes('dropped a cross-tab message'))
    const kinds = new Set(dropLogs.map((log) => log.line))
    expect(dropLogs.length).toBe(kinds.size)
    expect([...kinds].sort()).toEqual(
      [
        'BAD_FIELDS',
        'BAD_SENDER',
        'BAD_TAGS',
        'NOT_AN_OBJECT',
        'TOO_MANY_TAGS',
        'UNKNOWN_KIND',
        'UNSUPPORTED_VERSION',
      ].map((reason) => `[RealtimeCore] dropped a cross-tab message (${reason})`),
    )
    expect(b.logs.some((log) => log.line.includes('p'.repeat(50)))).toBe(false)

    // Still working: a well-formed relay from a real tab applies.
    const a = world.open('a')
    await world.clock.advance(10)
    await a.mutate('addTodo', { projectId: 'p1' })
    await world.clock.advance(10)
    expect(b.fetches('todos:p1')).toBe(2)
    expect(b.crossTab().relaysApplied).toBe(1)
  })

  it('ignores a message claiming to come from this very tab', async () => {
    world = createTabs()
    const b = world.open('b')
    b.mount('todos', 'p1')
    await world.clock.advance(1_500)
    const rogue = world.browser.openTab('rogue').broadcastChannel(CHANNEL)
    rogue.post({ v: 1, kind: 'invalidate', from: b.crossTab().tabId, tags: [{ type: 'Todos', id: 'p1' }] })
    await world.clock.advance(10)
    expect(b.crossTab()).toMatchObject({ relaysReceived: 0, relaysDropped: 0 })
    expect(b.fetches('todos:p1')).toBe(1)
  })
})
