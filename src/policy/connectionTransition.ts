/** The one vocabulary of connection state. */
export type ConnectionState = 'disabled' | 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'suspended' | 'failed'

export const CONNECTION_STATES: readonly ConnectionState[] = [
  'disabled',
  'idle',
  'connecting',
  'connected',
  'reconnecting',
  'suspended',
  'failed',
]

/** What can happen to the connection. Past tense: these are facts, not commands. */
export type ConnectionEvent =
  | { type: 'enabled' }
  | { type: 'disabled' }
  | { type: 'connectStarted' }
  | { type: 'connected' }
  /** The socket dropped or an attempt failed; retry number `attempt` (0-based) is next. */
  | { type: 'connectionLost'; attempt: number; maxRetries: number }
  /** Refused for good (auth or permission, after a token refresh). */
  | { type: 'failedPermanently' }
  | { type: 'recoverRequested' }
  /** A new session or token arrived: a way out of `failed`. */
  | { type: 'sessionChanged' }
  /** The slow retry of a `failed` connection is due (or a successful read says the network is back). */
  | { type: 'failedRetryDue' }
  /** Nothing is subscribed and the socket was closed on purpose. */
  | { type: 'wentIdle' }

const RETRYING: ReadonlySet<ConnectionState> = new Set(['connecting', 'connected', 'reconnecting', 'suspended'])

/**
 * The pure transition function: the only writer of `connection`. Events that make no
 * sense in a state leave it unchanged, so a late event from a torn-down socket cannot
 * resurrect a connection the kill switch turned off.
 *
 * @example
 * connectionTransition('connected', { type: 'connectionLost', attempt: 0, maxRetries: 3 }) // 'reconnecting'
 */
export function connectionTransition(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  if (state === 'disabled') return event.type === 'enabled' ? 'idle' : 'disabled'
  switch (event.type) {
    case 'enabled':
      return state
    case 'disabled':
      return 'disabled'
    case 'connectStarted':
      return state === 'idle' ? 'connecting' : state
    case 'connected':
      return state === 'failed' ? 'failed' : 'connected'
    case 'connectionLost':
      if (!RETRYING.has(state)) return state
      return event.attempt >= event.maxRetries ? 'suspended' : 'reconnecting'
    case 'failedPermanently':
      return 'failed'
    case 'recoverRequested':
      return state === 'idle' || state === 'connected' ? state : 'connecting'
    case 'sessionChanged':
    case 'failedRetryDue':
      return state === 'failed' ? 'connecting' : state
    case 'wentIdle':
      return state === 'failed' ? 'failed' : 'idle'
  }
}
