/** The kinds of failure the library distinguishes. */
export type RealtimeErrorType =
  'CONNECTION_FAILED' | 'SUBSCRIPTION_FAILED' | 'CHANNEL_ERROR' | 'TIMEOUT' | 'AUTHENTICATION_FAILED' | 'NETWORK_ERROR'

export const REALTIME_ERROR_TYPES: readonly RealtimeErrorType[] = [
  'CONNECTION_FAILED',
  'SUBSCRIPTION_FAILED',
  'CHANNEL_ERROR',
  'TIMEOUT',
  'AUTHENTICATION_FAILED',
  'NETWORK_ERROR',
]

/**
 * The serializable part of an error: the only part that enters the store (`selectLastError`,
 * `selectChannel(topic).lastError`, `useRealtimeSubscription().error`).
 *
 * @example
 * const error = realtime.selectors.selectLastError(store.getState())
 * if (error?.serverError === 'subscription-refused') console.warn(error.message)
 */
export interface SerializedRealtimeError {
  type: RealtimeErrorType
  message: string
  retryable: boolean
  /** What the server refused, when it was a refusal (absent otherwise); see {@link ServerRefusal}. */
  serverError?: ServerRefusal
}

/**
 * What Supabase Realtime refused, when it was the server that refused: `'channel-rate-limit'`
 * (`ChannelRateLimitReached`: the connection has its plan's channels), `'join-rate-limit'`
 * (`ClientJoinRateLimitReached`: the project's joins per second), `'message-rate-limit'` ("Too
 * many messages per second"), `'subscription-refused'` ("Unable to subscribe to changes with
 * given parameters": a table, filter or publication the server will not serve), `'unauthorized'`
 * (a private topic the token may not read).
 */
export type ServerRefusal =
  'channel-rate-limit' | 'join-rate-limit' | 'message-rate-limit' | 'subscription-refused' | 'unauthorized'

export interface RealtimeErrorInit {
  retryable?: boolean
  context?: Record<string, unknown>
  cause?: unknown
  /** The server's refusal this error stands for, if any. */
  serverError?: ServerRefusal
}

const RETRYABLE_BY_DEFAULT: Record<RealtimeErrorType, boolean> = {
  CONNECTION_FAILED: true,
  SUBSCRIPTION_FAILED: true,
  CHANNEL_ERROR: true,
  TIMEOUT: true,
  AUTHENTICATION_FAILED: false,
  NETWORK_ERROR: true,
}

/**
 * The one error type of the library.
 *
 * @example
 * if (error instanceof RealtimeError && error.type === 'AUTHENTICATION_FAILED') signOut()
 */
export class RealtimeError extends Error {
  override readonly name = 'RealtimeError'
  readonly type: RealtimeErrorType
  readonly retryable: boolean
  /** Topic, status, attempt: never tokens or row data. */
  readonly context: Record<string, unknown>
  /**
   * What the server refused (rate limits, a subscription it will not serve, an unauthorized
   * private topic), or null when the failure was not a refusal.
   *
   * @example
   * if (error.serverError === 'subscription-refused') console.warn('check the table is in the supabase_realtime publication')
   */
  readonly serverError: ServerRefusal | null

  constructor(type: RealtimeErrorType, message: string, init: RealtimeErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause })
    this.type = type
    this.retryable = init.retryable ?? RETRYABLE_BY_DEFAULT[type]
    this.context = init.context ?? {}
    this.serverError = init.serverError ?? null
  }

  toJSON(): SerializedRealtimeError {
    return serializeRealtimeError(this)
  }
}

export function serializeRealtimeError(error: RealtimeError): SerializedRealtimeError {
  const serialized: SerializedRealtimeError = { type: error.type, message: error.message, retryable: error.retryable }
  if (error.serverError !== null) serialized.serverError = error.serverError
  return serialized
}

export function isRealtimeError(value: unknown): value is RealtimeError {
  return value instanceof RealtimeError
}

/**
 * True for the server closing a joined channel because its access token expired (the library
 * rejoins at once with a fresh token), as opposed to a refused join.
 *
 * @example
 * if (isTokenExpiry(error)) console.info('rejoining with a fresh token')
 *
 * @internal
 */
export function isTokenExpiry(error: unknown): boolean {
  return error instanceof RealtimeError && error.type === 'AUTHENTICATION_FAILED' && error.context.tokenExpired === true
}
