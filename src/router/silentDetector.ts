import type { UnknownAction } from '@reduxjs/toolkit'
import { cachedEntry } from '../rtkq/rtkqCache'
import { rtkqMatchers } from '../rtkq/rtkqActions'
import { silentSourceKey } from '../slice/silenceReducers'
import type { RealtimeState } from '../slice/state'
import type { SerializableSpec } from '../subscription/spec'
import type { RoutedBatch } from './routeEvents'
import type { BuildRouterHandler, RouterContext } from './routerContext'
import type { Cover, Miss } from './silenceTracker'
import { fullTagsOf, sameTagId, tagKey, type FullTag } from './tags'
import { isTopicLive } from './topicLiveness'

/** The bindings of a spec as sources name them: `schema.table` (`schema.*`) or `broadcast:EVENT`. */
function bindingsOf(spec: SerializableSpec): string[] {
  const postgres = (spec.postgres ?? []).map((binding) => `${binding.schema}.${binding.table ?? '*'}`)
  return [...postgres, ...(spec.broadcast ?? []).map((event) => `broadcast:${event}`)]
}

function liveOn(state: RealtimeState, topic: string): boolean {
  const channel = Object.hasOwn(state.channels, topic) ? state.channels[topic] : undefined
  return isTopicLive(state.connection, channel, state.slowLink)
}

/**
 * Before a poll, safety-net or focus invalidation of `tags`: notes the cache entries it will
 * refetch that a live topic's subscription covers, so that their refetches are checked for
 * changes no event announced. One `selectInvalidatedBy` per covered tag.
 * @internal
 */
export function expectPolledRefetches(ctx: RouterContext, tags: readonly FullTag[]): void {
  const root = ctx.getState()
  if (root === undefined || tags.length === 0) return
  const state = ctx.deps.selectors.selectRealtimeState(root)
  if (state.connection !== 'connected') return
  const polled = new Set(tags.map(tagKey))
  const covers = new Map<string, Cover[]>()
  const seen = new Set<string>()
  for (const spec of ctx.deps.subscriptions()) {
    if (!liveOn(state, spec.topic)) continue
    for (const tag of fullTagsOf(spec.tags)) {
      const source = silentSourceKey(spec.topic, tagKey(tag))
      if (!polled.has(tagKey(tag)) || seen.has(source)) continue
      seen.add(source)
      for (const entry of ctx.deps.api.util.selectInvalidatedBy(root as never, [tag])) {
        const list = covers.get(entry.queryCacheKey) ?? []
        list.push({ topic: spec.topic, tag })
        covers.set(entry.queryCacheKey, list)
      }
    }
  }
  if (covers.size > 0) ctx.silence.expect(covers)
}

function isEmpty(record: object): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return false
  return true
}

/** Whether an event tag invalidates what a subscription tag covers. */
function matches(heard: FullTag, tag: FullTag): boolean {
  return heard.type === tag.type && (tag.id === undefined || heard.id === undefined || sameTagId(heard.id, tag.id))
}

/**
 * After a batch is routed: records when each tag last had an event and which tag types each
 * source delivers, and clears the sources of the batch's topics that an event was heard from.
 * @internal
 */
export function hearBatch(ctx: RouterContext, batch: RoutedBatch): void {
  ctx.silence.heard(batch.tags)
  for (const [source, tags] of batch.heard) ctx.silence.learn(source, tags)
  const root = ctx.getState()
  if (root === undefined || batch.heard.size === 0) return
  const state = ctx.deps.selectors.selectRealtimeState(root)
  // No source caught missing changes (the usual case): nothing to clear, and nothing listed per event.
  if (isEmpty(state.sources)) return
  const keys = Object.keys(state.sources)
  const byTopic = new Map<string, FullTag[]>()
  for (const [source, tags] of batch.heard) {
    const topic = source.slice(0, source.lastIndexOf('\n'))
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), ...tags])
  }
  const cleared = keys.filter((key) => {
    const record = state.sources[key]
    return record !== undefined && (byTopic.get(record.topic) ?? []).some((heard) => matches(heard, record.tag))
  })
  if (cleared.length > 0) ctx.dispatch(ctx.deps.actions.sourcesHeard({ keys: cleared, at: ctx.deps.env.clock.now() }))
}

/** The bindings behind a miss: those of the topic's specs that keep its tag fresh, narrowed by what each delivers. */
function suspects(ctx: RouterContext, miss: Miss): string[] {
  const key = tagKey(miss.tag)
  const bindings = new Set<string>()
  for (const spec of ctx.deps.subscriptions())
    if (spec.topic === miss.topic && fullTagsOf(spec.tags).some((tag) => tagKey(tag) === key))
      for (const binding of bindingsOf(spec)) bindings.add(binding)
  const all = [...bindings]
  const narrowed = all.filter((binding) => ctx.silence.mayDeliver(`${miss.topic}\n${binding}`, miss.tag))
  return narrowed.length > 0 ? narrowed : all
}

function report(ctx: RouterContext, miss: Miss, threshold: number): void {
  const root = ctx.getState()
  if (root === undefined) return
  const state = ctx.deps.selectors.selectRealtimeState(root)
  const channel = state.channels[miss.topic]
  // A join after that fetch explains the change (the gap catch-up refetches it): not a miss.
  if (!liveOn(state, miss.topic) || channel?.joinedAt == null || channel.joinedAt > miss.since) return
  const key = silentSourceKey(miss.topic, tagKey(miss.tag))
  const known = state.sources[key]
  // Another entry of the same tag already showed this change.
  if (known !== undefined && known.lastMissAt > miss.since) return
  const bindings = suspects(ctx, miss)
  // A suspect heard since (a patch route writes its rows into the cache with no tag): not silent.
  if (bindings.some((binding) => ctx.silence.lastHeardFrom(`${miss.topic}\n${binding}`) >= miss.since)) return
  const at = ctx.deps.env.clock.now()
  ctx.dispatch(ctx.deps.actions.eventsMissed({ key, topic: miss.topic, tag: miss.tag, bindings, at, threshold }))
  const now = ctx.deps.selectors.selectRealtimeState(ctx.getState()).sources[key]
  if (!now?.silent || known?.silent) return
  ctx.deps.logger.once(
    `silent:${key}`,
    'warn',
    `realtime is connected but ${bindings.join(', ') || 'no binding'} on topic ${miss.topic} delivered no event for a ` +
      `${miss.tag.type} change; polling its tags every few seconds until an event arrives. Check that the table is ` +
      `in the supabase_realtime publication, that RLS lets this user select the rows, and that any broadcast ` +
      `trigger still exists`,
  )
}

/**
 * The silent detector (DESIGN §3.7): a poll, safety-net or focus refetch of a query that a live
 * topic covers returns changed data while no event for its tag arrived since the cached data was
 * fetched: that is a miss of the topic's source for the tag (`eventsMissed`). After
 * `silentAfterMisses` of them the source is silent: its tags are polled on the dead-mode cadence
 * (`isTagCoveredLive`), and `selectAlert` reports `REALTIME_SILENT`, until an event of it arrives.
 * @internal
 */
export const buildSilentDetector: BuildRouterHandler = (listener, ctx) => {
  const matchers = rtkqMatchers(ctx.deps.api.reducerPath)
  const threshold = ctx.deps.silentAfterMisses ?? 1
  listener.startListening({
    predicate: (action) => matchers.isQuery(action) || matchers.isApiReset(action),
    effect: (action, listenerApi) => {
      if (matchers.isApiReset(action)) return ctx.silence.clear()
      const data = (key: string) => cachedEntry(listenerApi.getState(), ctx.deps.api, key)?.data
      for (const miss of ctx.silence.observe(action as UnknownAction, data)) report(ctx, miss, threshold)
    },
  })
  return { stop: () => ctx.silence.stop() }
}
