import type { ConnectionState } from '../policy/connectionTransition'
import type { ChannelRecord, RealtimeState } from '../slice/state'

/**
 * The per-topic liveness rule (DESIGN §3.7), one for the router's polling and for cross-tab:
 * a topic is *live* only while its channel is `subscribed` on a connection that is `connected`
 * (the connection counts as connected only while its probes are answered) and whose last probe
 * was answered in time: on a slow link (the reply queued behind seconds of frames) events arrive
 * late, so every topic is polled until a probe is answered promptly again. A topic with
 * subscribers in any other state (idle, subscribing, error, closed, waiting for auth), or
 * without a channel record yet, is not live: its tags are polled on the dead-mode cadence,
 * whatever the connection state.
 *
 * @example
 * isTopicLive('connected', state.channels['project:1']) // true only when that channel is subscribed
 * @internal
 */
export function isTopicLive(
  connection: ConnectionState,
  channel: ChannelRecord | undefined,
  slowLink = false,
): boolean {
  return connection === 'connected' && !slowLink && channel?.state === 'subscribed'
}

/** What the polling needs to know of one `channels` object, computed once per object. */
interface ChannelsSummary {
  /** Some topic with subscribers has a channel that is not subscribed. */
  someNotSubscribed: boolean
}

const summaries = new WeakMap<object, ChannelsSummary>()

function summaryOf(channels: RealtimeState['channels']): ChannelsSummary {
  let summary = summaries.get(channels)
  if (summary) return summary
  let someNotSubscribed = false
  for (const channel of Object.values(channels)) {
    if (channel.subscriberCount > 0 && channel.state !== 'subscribed') {
      someNotSubscribed = true
      break
    }
  }
  summary = { someNotSubscribed }
  summaries.set(channels, summary)
  return summary
}

/**
 * Whether, while the connection is up, some topic with subscribers is not live (its channel is
 * joining, failed, closed or waiting for auth). Checked on every action that changes the slice:
 * the answer is computed once per `channels` object (the reducer makes a new one on every
 * change), so an action that leaves the channels alone costs one WeakMap lookup.
 * @internal
 */
export function someTopicNotLive(state: RealtimeState): boolean {
  return state.connection === 'connected' && (state.slowLink || summaryOf(state.channels).someNotSubscribed)
}

/**
 * The topics whose tags a poll invalidates, by the rule of {@link isTopicLive}: every topic in
 * `topics` that is not live in `state` (all of them while the connection is not `connected`).
 * @internal
 */
export function topicsNotLive(state: RealtimeState, topics: Iterable<string>): Set<string> {
  const result = new Set<string>()
  for (const topic of topics) {
    const channel = Object.hasOwn(state.channels, topic) ? state.channels[topic] : undefined
    if (!isTopicLive(state.connection, channel, state.slowLink)) result.add(topic)
  }
  return result
}
