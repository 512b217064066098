import type { ConnectionState } from '../policy/connectionTransition'
import { silentSourceKey } from '../slice/silenceReducers'
import type { ChannelRecord, RealtimeState } from '../slice/state'
import { tagKey, type FullTag } from './tags'

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

/**
 * Whether one tag of a topic's subscriptions is kept fresh by its events: the topic is live
 * ({@link isTopicLive}) and no source of the topic was found silent for that tag (a poll or
 * safety-net refetch returned changed data with no event for it). A silent tag is polled on the
 * dead-mode cadence, like the tags of a topic that is not live.
 *
 * @example
 * isTagCoveredLive(state, 'project:1', { type: 'Generations', id: 'project:1' })
 * @internal
 */
export function isTagCoveredLive(state: RealtimeState, topic: string, tag: FullTag): boolean {
  const channel = Object.hasOwn(state.channels, topic) ? state.channels[topic] : undefined
  return isTopicLive(state.connection, channel, state.slowLink) && !isTagSilent(state, topic, tagKey(tag))
}

/** Whether a source of `topic` was found silent for the tag of key `key` (see {@link isTagCoveredLive}). @internal */
export function isTagSilent(state: RealtimeState, topic: string, key: string): boolean {
  const id = silentSourceKey(topic, key)
  return Object.hasOwn(state.sources, id) && state.sources[id]?.silent === true
}

/** Whether some source of `topic` was found silent (for any tag). @internal */
export function topicHasSilentSource(state: RealtimeState, topic: string): boolean {
  return Object.values(state.sources).some((source) => source.silent && source.topic === topic)
}

const notSubscribed = new WeakMap<object, boolean>()
const silentSubscribed = new WeakMap<object, WeakMap<object, boolean>>()

/** Some topic with subscribers has a channel that is not subscribed (once per `channels` object). */
function someNotSubscribed(channels: RealtimeState['channels']): boolean {
  let answer = notSubscribed.get(channels)
  if (answer !== undefined) return answer
  answer = Object.values(channels).some((channel) => channel.subscriberCount > 0 && channel.state !== 'subscribed')
  notSubscribed.set(channels, answer)
  return answer
}

/** Some topic with subscribers has a silent source (once per `sources` and `channels` pair). */
function someSilent(state: RealtimeState): boolean {
  let byChannels = silentSubscribed.get(state.sources)
  const known = byChannels?.get(state.channels)
  if (known !== undefined) return known
  const answer = Object.values(state.sources).some(
    (source) => source.silent && (state.channels[source.topic]?.subscriberCount ?? 0) > 0,
  )
  if (!byChannels) silentSubscribed.set(state.sources, (byChannels = new WeakMap()))
  byChannels.set(state.channels, answer)
  return answer
}

/**
 * Whether, while the connection is up, some topic with subscribers is not live (its channel is
 * joining, failed, closed or waiting for auth) or has a silent source. Checked on every action
 * that changes the slice: the answer is computed once per `channels` (and `sources`) object (the
 * reducer makes a new one on every change), so an action that leaves them alone costs a WeakMap
 * lookup.
 * @internal
 */
export function someTopicNotLive(state: RealtimeState): boolean {
  if (state.connection !== 'connected') return false
  return state.slowLink || someNotSubscribed(state.channels) || someSilent(state)
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
