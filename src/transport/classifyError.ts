import { RealtimeError } from '../errors/realtimeError'
import type { ChannelStatus } from '../events/port'
import { refusalError } from './serverRefusal'

const AUTH_FAILURE =
  /unauthori[sz]ed|permission|forbidden|jwt|token has expired|expired token|invalid token|invalid_token|not authorized|access denied/i
const NETWORK_FAILURE =
  /socket closed|connection lost|heartbeat timeout|transport failure|network|econnrefused|econnreset/i
const BINDING_MISMATCH = /mismatch between server and client bindings/i

/** The text of whatever supabase-js passed (an Error, a reply object, a string). Never row data: only messages. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message
  if (typeof cause === 'string') return cause
  if (cause && typeof cause === 'object' && 'reason' in cause && typeof cause.reason === 'string') return cause.reason
  if (cause && typeof cause === 'object' && 'message' in cause && typeof cause.message === 'string')
    return cause.message
  return ''
}

/** What the adapter knew when the channel failed. */
export interface FailureCircumstances {
  /** The socket was still open: a "transport failure" then is the channel's own (a server phx_error), not the network. */
  socketOpen?: boolean
  /** The server's system message before the close ("Token has expired 3 seconds ago"), when it said so. */
  tokenExpired?: string
  /** The server's refusal in a system message on this topic ("Too many messages per second", "Unable to subscribe…"). */
  refusal?: string
  /** The topic's postgres_changes bindings, described for the message of a refused subscription. */
  bindings?: string
}

/**
 * Normalises a failed channel status into one `RealtimeError`. Auth failures are marked
 * non-retryable: the saga retries them once after refreshing the token, then stops.
 */
export function classifyChannelFailure(
  status: Exclude<ChannelStatus, 'SUBSCRIBED'>,
  cause: unknown,
  topic: string,
  circumstances: FailureCircumstances = {},
): RealtimeError {
  const detail = describeCause(cause)
  const context = { topic, status }
  if (circumstances.tokenExpired !== undefined && status !== 'TIMED_OUT') {
    // A token expiry of a joined channel: rejoin at once with a fresh token, not a refusal.
    return new RealtimeError(
      'AUTHENTICATION_FAILED',
      `${topic}: the access token expired and the server closed the channel (${circumstances.tokenExpired})`,
      {
        retryable: true,
        context: { ...context, tokenExpired: true },
        cause,
      },
    )
  }
  if (status === 'TIMED_OUT') {
    return new RealtimeError('TIMEOUT', `joining ${topic} timed out`, { context, cause })
  }
  const refused = refusalError(circumstances.refusal ?? detail, topic, context, cause, circumstances.bindings)
  if (refused) return refused
  if (AUTH_FAILURE.test(detail)) {
    const serverError = /^unauthorized/i.test(detail) ? ({ serverError: 'unauthorized' } as const) : {}
    return new RealtimeError('AUTHENTICATION_FAILED', `${topic} refused: ${detail}`, { context, cause, ...serverError })
  }
  if (BINDING_MISMATCH.test(detail)) {
    return new RealtimeError(
      'SUBSCRIPTION_FAILED',
      `${topic}: the server did not accept the postgres_changes bindings`,
      { context, cause },
    )
  }
  if (NETWORK_FAILURE.test(detail) && circumstances.socketOpen === true) {
    // supabase-js words a server phx_error "channel error: transport failure" although the socket is fine.
    return new RealtimeError(
      'CHANNEL_ERROR',
      `${topic}: the server reported an error on this channel (the socket is still connected)`,
      { context, cause },
    )
  }
  if (NETWORK_FAILURE.test(detail)) {
    return new RealtimeError('NETWORK_ERROR', `${topic} lost its connection${detail ? `: ${detail}` : ''}`, {
      context,
      cause,
    })
  }
  if (status === 'CLOSED') {
    return new RealtimeError('CHANNEL_ERROR', `${topic} was closed by the server${detail ? `: ${detail}` : ''}`, {
      context,
      cause,
    })
  }
  return new RealtimeError('CHANNEL_ERROR', `${topic} failed${detail ? `: ${detail}` : ''}`, { context, cause })
}
