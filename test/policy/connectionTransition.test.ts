import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CONNECTION_STATES,
  connectionTransition,
  type ConnectionEvent,
  type ConnectionState,
} from '../../src/policy/connectionTransition'

const MAX_RETRIES = 3

/** One column per event kind; `connectionLost` twice, below and at `maxRetries`. */
const EVENTS = {
  enabled: { type: 'enabled' },
  disabled: { type: 'disabled' },
  connectStarted: { type: 'connectStarted' },
  connected: { type: 'connected' },
  'connectionLost(attempt 1 < max 3)': { type: 'connectionLost', attempt: 1, maxRetries: MAX_RETRIES },
  'connectionLost(attempt 3 = max 3)': { type: 'connectionLost', attempt: MAX_RETRIES, maxRetries: MAX_RETRIES },
  failedPermanently: { type: 'failedPermanently' },
  recoverRequested: { type: 'recoverRequested' },
  sessionChanged: { type: 'sessionChanged' },
  failedRetryDue: { type: 'failedRetryDue' },
  wentIdle: { type: 'wentIdle' },
} as const satisfies Record<string, ConnectionEvent>

type EventName = keyof typeof EVENTS

/**
 * The expected next state for every state × event, derived from DESIGN.md §2:
 * - `disabled` is the kill switch: only `enabled` leaves it (to `idle`), nothing else, not
 *   even a late `connected` from a torn-down socket, can resurrect the connection.
 * - `failed` is a refusal: no retry (connectStarted, connected, lost are ignored) until
 *   `recover()`, a new session or its own slow retry (`failedRetryDue`), each of which starts
 *   connecting again; the kill switch still applies.
 * - `connectionLost` in a retrying state goes to `reconnecting` while attempts remain and
 *   to `suspended` once `maxRetries` are used up; in `idle` there is nothing to retry.
 * - `recover()` restarts a connection that is down (reconnecting, suspended, failed); it
 *   leaves a healthy (`connected`), in-progress (`connecting`) or unneeded (`idle`) one alone.
 * - `enabled` outside `disabled` changes nothing.
 */
const TABLE: Record<ConnectionState, Record<EventName, ConnectionState>> = {
  disabled: {
    enabled: 'idle',
    disabled: 'disabled',
    connectStarted: 'disabled',
    connected: 'disabled',
    'connectionLost(attempt 1 < max 3)': 'disabled',
    'connectionLost(attempt 3 = max 3)': 'disabled',
    failedPermanently: 'disabled',
    recoverRequested: 'disabled',
    sessionChanged: 'disabled',
    failedRetryDue: 'disabled',
    wentIdle: 'disabled',
  },
  idle: {
    enabled: 'idle',
    disabled: 'disabled',
    connectStarted: 'connecting',
    connected: 'connected',
    'connectionLost(attempt 1 < max 3)': 'idle',
    'connectionLost(attempt 3 = max 3)': 'idle',
    failedPermanently: 'failed',
    recoverRequested: 'idle',
    sessionChanged: 'idle',
    failedRetryDue: 'idle',
    wentIdle: 'idle',
  },
  connecting: {
    enabled: 'connecting',
    disabled: 'disabled',
    connectStarted: 'connecting',
    connected: 'connected',
    'connectionLost(attempt 1 < max 3)': 'reconnecting',
    'connectionLost(attempt 3 = max 3)': 'suspended',
    failedPermanently: 'failed',
    recoverRequested: 'connecting',
    sessionChanged: 'connecting',
    failedRetryDue: 'connecting',
    wentIdle: 'idle',
  },
  connected: {
    enabled: 'connected',
    disabled: 'disabled',
    connectStarted: 'connected',
    connected: 'connected',
    'connectionLost(attempt 1 < max 3)': 'reconnecting',
    'connectionLost(attempt 3 = max 3)': 'suspended',
    failedPermanently: 'failed',
    recoverRequested: 'connected',
    sessionChanged: 'connected',
    failedRetryDue: 'connected',
    wentIdle: 'idle',
  },
  reconnecting: {
    enabled: 'reconnecting',
    disabled: 'disabled',
    connectStarted: 'reconnecting',
    connected: 'connected',
    'connectionLost(attempt 1 < max 3)': 'reconnecting',
    'connectionLost(attempt 3 = max 3)': 'suspended',
    failedPermanently: 'failed',
    recoverRequested: 'connecting',
    sessionChanged: 'reconnecting',
    failedRetryDue: 'reconnecting',
    wentIdle: 'idle',
  },
  suspended: {
    enabled: 'suspended',
    disabled: 'disabled',
    connectStarted: 'suspended',
    connected: 'connected',
    'connectionLost(attempt 1 < max 3)': 'reconnecting',
    'connectionLost(attempt 3 = max 3)': 'suspended',
    failedPermanently: 'failed',
    recoverRequested: 'connecting',
    sessionChanged: 'suspended',
    failedRetryDue: 'suspended',
    wentIdle: 'idle',
  },
  failed: {
    enabled: 'failed',
    disabled: 'disabled',
    connectStarted: 'failed',
    connected: 'failed',
    'connectionLost(attempt 1 < max 3)': 'failed',
    'connectionLost(attempt 3 = max 3)': 'failed',
    failedPermanently: 'failed',
    recoverRequested: 'connecting',
    sessionChanged: 'connecting',
    failedRetryDue: 'connecting',
    wentIdle: 'failed',
  },
}

const EVENT_NAMES = Object.keys(EVENTS) as EventName[]
const CELLS = CONNECTION_STATES.flatMap((state) =>
  EVENT_NAMES.map((name) => [state, name, TABLE[state][name]] as const),
)

const arbitraryState = fc.constantFrom(...CONNECTION_STATES)
const arbitraryEvent: fc.Arbitrary<ConnectionEvent> = fc.oneof(
  fc.constantFrom<ConnectionEvent>(
    { type: 'enabled' },
    { type: 'disabled' },
    { type: 'connectStarted' },
    { type: 'connected' },
    { type: 'failedPermanently' },
    { type: 'recoverRequested' },
    { type: 'sessionChanged' },
    { type: 'failedRetryDue' },
    { type: 'wentIdle' },
  ),
  fc
    .record({ attempt: fc.integer({ min: 0, max: 20 }), maxRetries: fc.integer({ min: 0, max: 20 }) })
    .map((lost): ConnectionEvent => ({ type: 'connectionLost', ...lost })),
)

describe('connectionTransition', () => {
  it('knows exactly the seven connection states of DESIGN.md §2', () => {
    expect([...CONNECTION_STATES].sort()).toEqual([
      'connected',
      'connecting',
      'disabled',
      'failed',
      'idle',
      'reconnecting',
      'suspended',
    ])
  })

  it('has a table row for every state and a column for every event kind', () => {
    expect(CELLS).toHaveLength(7 * 11)
    expect(new Set(EVENT_NAMES.map((name) => EVENTS[name].type)).size).toBe(10)
  })

  it.each(CELLS)('moves %s on %s to %s', (state, name, expected) => {
    expect(connectionTransition(state, EVENTS[name])).toBe(expected)
  })

  it('turns a lost connection into suspended for any attempt at or beyond maxRetries', () => {
    for (const state of ['connecting', 'connected', 'reconnecting', 'suspended'] as const) {
      expect(connectionTransition(state, { type: 'connectionLost', attempt: 7, maxRetries: 3 })).toBe('suspended')
      expect(connectionTransition(state, { type: 'connectionLost', attempt: 0, maxRetries: 0 })).toBe('suspended')
      expect(connectionTransition(state, { type: 'connectionLost', attempt: 0, maxRetries: 1 })).toBe('reconnecting')
    }
  })

  it('always returns one of the seven states', () => {
    fc.assert(
      fc.property(arbitraryState, arbitraryEvent, (state, event) => {
        expect(CONNECTION_STATES).toContain(connectionTransition(state, event))
      }),
    )
  })

  it('leaves disabled only on enabled, whatever happened before', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { maxLength: 30 }), (events) => {
        let state: ConnectionState = 'disabled'
        for (const event of events) {
          const next = connectionTransition(state, event)
          if (state === 'disabled' && next !== 'disabled') expect(event.type).toBe('enabled')
          state = next
        }
      }),
      { numRuns: 500 },
    )
  })

  it('keeps disabled through any run of events without enabled', () => {
    fc.assert(
      fc.property(
        fc.array(
          arbitraryEvent.filter((event) => event.type !== 'enabled'),
          { maxLength: 30 },
        ),
        (events) => {
          expect(events.reduce(connectionTransition, 'disabled' as ConnectionState)).toBe('disabled')
        },
      ),
      { numRuns: 500 },
    )
  })

  it('leaves failed only on recoverRequested, sessionChanged, failedRetryDue or disabled', () => {
    fc.assert(
      fc.property(arbitraryEvent, (event) => {
        const next = connectionTransition('failed', event)
        if (next !== 'failed')
          expect(['recoverRequested', 'sessionChanged', 'failedRetryDue', 'disabled']).toContain(event.type)
      }),
      { numRuns: 500 },
    )
    expect(connectionTransition('failed', { type: 'recoverRequested' })).not.toBe('failed')
    expect(connectionTransition('failed', { type: 'sessionChanged' })).not.toBe('failed')
    expect(connectionTransition('failed', { type: 'failedRetryDue' })).toBe('connecting')
    expect(connectionTransition('failed', { type: 'disabled' })).not.toBe('failed')
  })

  it('turns the kill switch on from every state', () => {
    for (const state of CONNECTION_STATES) expect(connectionTransition(state, { type: 'disabled' })).toBe('disabled')
  })

  it('is pure: the same state and event always give the same answer', () => {
    fc.assert(
      fc.property(arbitraryState, arbitraryEvent, (state, event) => {
        const copy = structuredClone(event)
        expect(connectionTransition(state, event)).toBe(connectionTransition(state, event))
        expect(event).toEqual(copy)
      }),
    )
  })
})
