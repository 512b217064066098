import { isRealtimeDown } from '../policy/pollingPolicy'
import { isTagSilent, topicsNotLive } from '../router/topicLiveness'
import { fullTagsOf, tagKey, type FullTag } from '../router/tags'
import type { SagaRegistry } from '../sagas/context'
import type { RealtimeSelectors } from '../slice/selectors'
import type { SerializableSpec } from '../subscription/spec'

/** The union of the specs' tags, de-duplicated, in first-seen order. @internal */
export function unionOfTags(specs: Iterable<SerializableSpec>): FullTag[] {
  const tags = new Map<string, FullTag>()
  for (const spec of specs) for (const tag of fullTagsOf(spec.tags)) tags.set(tagKey(tag), tag)
  return [...tags.values()]
}

/**
 * The tags this tab's own poll invalidates in `state`, one rule for the router's poll and for
 * what cross-tab announces: the tags of every subscription whose topic is not live
 * (`isTopicLive`: its channel `subscribed` on a `connected` connection), so all of them while
 * realtime is down or disabled, and on a live topic the tags a silent source of it left
 * uncovered (`isTagCoveredLive`); null while every tag is covered live (then at most the safety
 * net runs, which is never shared).
 * @internal
 */
export function ownPollTags(state: unknown, selectors: RealtimeSelectors, registry: SagaRegistry): FullTag[] | null {
  const realtime = selectors.selectRealtimeState(state)
  if (isRealtimeDown(realtime.connection)) return unionOfTags(registry.requests.values())
  const specs = [...registry.requests.values()]
  const notLive = topicsNotLive(
    realtime,
    specs.map((spec) => spec.topic),
  )
  const polled = unionOfTags(specs.filter((spec) => notLive.has(spec.topic)))
  if (Object.keys(realtime.sources).length > 0) {
    const keys = new Set(polled.map(tagKey))
    for (const spec of specs) {
      if (notLive.has(spec.topic)) continue
      for (const tag of fullTagsOf(spec.tags)) {
        const key = tagKey(tag)
        if (!keys.has(key) && isTagSilent(realtime, spec.topic, key)) {
          keys.add(key)
          polled.push(tag)
        }
      }
    }
  }
  return polled.length === 0 && notLive.size === 0 ? null : polled
}
