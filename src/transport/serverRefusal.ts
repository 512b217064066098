import { RealtimeError, type ServerRefusal } from '../errors/realtimeError'

/** The real server's texts, as its join replies and system messages word them. */
const REFUSALS: readonly { kind: Exclude<ServerRefusal, 'unauthorized'>; pattern: RegExp }[] = [
  { kind: 'channel-rate-limit', pattern: /ChannelRateLimitReached/ },
  { kind: 'join-rate-limit', pattern: /ClientJoinRateLimitReached/ },
  { kind: 'message-rate-limit', pattern: /too many messages per second/i },
  { kind: 'subscription-refused', pattern: /unable to subscribe to changes with given parameters/i },
]

/** The refusal a server text is (a join reply's reason, a system message), or null. */
export function refusalOf(text: string): Exclude<ServerRefusal, 'unauthorized'> | null {
  return REFUSALS.find(({ pattern }) => pattern.test(text))?.kind ?? null
}

/** What each refusal means, and what the user can do about it. */
function explain(kind: Exclude<ServerRefusal, 'unauthorized'>, topic: string, bindings: string): string {
  switch (kind) {
    case 'channel-rate-limit':
      return `${topic}: the server refused the join because this connection already has its plan's channels (ChannelRateLimitReached); the topic is polled meanwhile. Subscribe to fewer topics, or set limits.channelsPerConnection to your plan's quota`
    case 'join-rate-limit':
      return `${topic}: the project is over its plan's joins per second (ClientJoinRateLimitReached); joins wait and the topic is polled meanwhile. Raise the plan or lower limits.joinShare if many clients reconnect together`
    case 'message-rate-limit':
      return `${topic}: the project is over its plan's messages per second and the server closed the channel ("Too many messages per second"); the topic is polled meanwhile. Send fewer broadcasts or raise the plan`
    case 'subscription-refused':
      return `${topic}: the server will not subscribe to ${bindings || 'these postgres_changes'} ("Unable to subscribe to changes with given parameters"); the topic is polled and not retried until recover() or a changed subscription. Check that the table exists, is in the supabase_realtime publication, and that the filter's columns exist`
  }
}

/**
 * The typed error of a server refusal: rate limits are retryable (after a long wait), a refused
 * subscription is a configuration error (not retryable). Null when `detail` is no refusal.
 */
export function refusalError(
  detail: string,
  topic: string,
  context: Record<string, unknown>,
  cause: unknown,
  bindings = '',
): RealtimeError | null {
  const kind = refusalOf(detail)
  if (kind === null) return null
  const type = kind === 'message-rate-limit' ? 'CHANNEL_ERROR' : 'SUBSCRIPTION_FAILED'
  return new RealtimeError(type, explain(kind, topic, bindings), {
    retryable: kind !== 'subscription-refused',
    context: { ...context, serverError: kind },
    cause,
    serverError: kind,
  })
}

/** `public.todos (filter: id=eq.1)`, for the message of a refused subscription. */
export function describeBindings(bindings: readonly { schema: string; table?: string; filter?: string }[]): string {
  return bindings
    .map(
      (binding) => `${binding.schema}.${binding.table ?? '*'}${binding.filter ? ` (filter: ${binding.filter})` : ''}`,
    )
    .join(', ')
}
