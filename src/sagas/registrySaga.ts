import { buffers, channel, type Channel, type SagaIterator, type Task } from 'redux-saga'
import { call, cancel, fork, put, race, take } from 'redux-saga/effects'
import { fullTagsOf } from '../router/tags'
import { channelConfigKey, mergeChannelConfig } from '../subscription/channelConfig'
import type { SerializableSpec } from '../subscription/spec'
import { dropSlots, releaseSlot } from './capacity'
import { channelWithinCapacity } from './channelCapacity'
import type { CoreContext } from './context'
import { sleep } from './effects'

/** The registry's view of one topic. Tasks live here, never in the store. */
interface TopicEntry {
  subscribers: Map<string, SerializableSpec>
  /** Key of the configuration the running channel task was started with. */
  appliedKey: string | null
  channelTask: Task | null
  /** Pending (debounced) creation or recreation of the channel. */
  applyTask: Task | null
  /** Pending removal after the last subscriber left. */
  teardownTask: Task | null
}

type RequestAction =
  { type: string; payload: { id: string; spec: SerializableSpec } } | { type: string; payload: { id: string } }

/**
 * Ref-counts subscriptions by topic. The first subscriber of a topic, and any change of
 * the union of bindings, schedules one (debounced) channel (re)creation; the last
 * unsubscribe removes the channel after a grace period. StrictMode's mount, unmount,
 * mount therefore costs one join, and a topic never has two channels.
 */
export function* registrySaga(ctx: CoreContext): SagaIterator<void> {
  const { actions, env } = ctx
  const topics: Topics = {
    byTopic: new Map(),
    topicOfId: new Map(),
    timers: channel<TimerFired>(buffers.expanding(16)),
  }
  try {
    // Subscriptions made before the saga started (or before a restart) are taken up again.
    const liveTopics = [...new Set([...ctx.registry.requests.values()].map((spec) => spec.topic))]
    yield put(actions.registryReset({ topics: liveTopics, at: env.clock.now() }))
    for (const [id, spec] of ctx.registry.requests) yield* addSubscriber(ctx, topics, id, spec)
    for (;;) {
      const next = (yield race({
        request: take([actions.subscriptionRequested.type, actions.subscriptionReleased.type]),
        timer: take(topics.timers),
      })) as { request?: RequestAction; timer?: TimerFired }
      if (next.timer) yield* onTimerFired(ctx, topics, next.timer)
      else if (next.request && 'spec' in next.request.payload)
        yield* addSubscriber(ctx, topics, next.request.payload.id, next.request.payload.spec)
      else if (next.request) yield* removeSubscriber(ctx, topics, next.request.payload.id)
    }
  } finally {
    // Every task stops before any slot is freed: a slot granted now would start a join in a topic about to stop.
    for (const entry of topics.byTopic.values()) yield* stopEntry(entry)
    dropSlots(ctx.capacity, topics.byTopic.keys())
    topics.timers.close()
  }
}

/** A debounce or grace period ended. Handled by the main loop so that channel tasks are its own children. */
interface TimerFired {
  kind: 'apply' | 'teardown'
  topic: string
  entry: TopicEntry
}

interface Topics {
  byTopic: Map<string, TopicEntry>
  topicOfId: Map<string, string>
  timers: Channel<TimerFired>
}

// Helpers below run with `yield*`, inside the registry's own task: tasks they fork are the registry's children.

function* addSubscriber(ctx: CoreContext, topics: Topics, id: string, spec: SerializableSpec): SagaIterator<void> {
  const { actions, logger, env } = ctx
  if (topics.topicOfId.has(id)) {
    logger.once(`duplicate-id:${id}`, 'warn', 'ignored a second subscription request with the same id', { id })
    return
  }
  const entry = topics.byTopic.get(spec.topic) ?? newEntry()
  topics.byTopic.set(spec.topic, entry)
  const first = entry.subscribers.values().next()
  if (!first.done && (first.value.private ?? false) !== (spec.private ?? false)) {
    logger.once(
      `private-mismatch:${spec.topic}`,
      'warn',
      'subscribers disagree on private: the channel is private if any asks for it',
      { topic: spec.topic },
    )
  }
  topics.topicOfId.set(id, spec.topic)
  entry.subscribers.set(id, spec)
  yield put(
    actions.subscriberAdded({
      topic: spec.topic,
      private: spec.private ?? false,
      tags: fullTagsOf(spec.tags),
      at: env.clock.now(),
    }),
  )
  if (entry.teardownTask) {
    yield cancel(entry.teardownTask)
    entry.teardownTask = null
  }
  yield* restartTimer(ctx, topics, { kind: 'apply', topic: spec.topic, entry }, ctx.timing.rebindDebounceMs)
}

function* removeSubscriber(ctx: CoreContext, topics: Topics, id: string): SagaIterator<void> {
  const { actions, logger, env } = ctx
  const topic = topics.topicOfId.get(id)
  const entry = topic === undefined ? undefined : topics.byTopic.get(topic)
  if (topic === undefined || !entry) {
    logger.once(`unknown-id:${id}`, 'debug', 'ignored the release of an unknown subscription', { id })
    return
  }
  topics.topicOfId.delete(id)
  const spec = entry.subscribers.get(id)
  entry.subscribers.delete(id)
  yield put(actions.subscriberRemoved({ topic, tags: fullTagsOf(spec?.tags), at: env.clock.now() }))
  if (entry.subscribers.size > 0)
    yield* restartTimer(ctx, topics, { kind: 'apply', topic, entry }, ctx.timing.rebindDebounceMs)
  else yield* restartTimer(ctx, topics, { kind: 'teardown', topic, entry }, ctx.timing.teardownGraceMs)
}

function* restartTimer(ctx: CoreContext, topics: Topics, timer: TimerFired, ms: number): SagaIterator<void> {
  const slot = timer.kind === 'apply' ? 'applyTask' : 'teardownTask'
  const previous = timer.entry[slot]
  if (previous) yield cancel(previous)
  timer.entry[slot] = (yield fork(fireAfter, ctx, topics.timers, timer, ms)) as Task
}

function* fireAfter(ctx: CoreContext, timers: Channel<TimerFired>, timer: TimerFired, ms: number): SagaIterator<void> {
  yield call(sleep, ctx.env.clock, ms)
  yield put(timers, timer)
}

function* onTimerFired(ctx: CoreContext, topics: Topics, timer: TimerFired): SagaIterator<void> {
  const { entry, topic } = timer
  if (topics.byTopic.get(topic) !== entry) return
  if (timer.kind === 'teardown') {
    entry.teardownTask = null
    yield* stopEntry(entry)
    topics.byTopic.delete(topic)
    releaseSlot(ctx.capacity, topic) // the first topic waiting for a channel gets it
    yield put(ctx.actions.channelRemoved({ topic, at: ctx.env.clock.now() }))
    return
  }
  entry.applyTask = null
  const config = mergeChannelConfig(entry.subscribers.values())
  const key = channelConfigKey(config)
  if (key === entry.appliedKey && entry.channelTask?.isRunning()) return
  if (entry.channelTask) yield cancel(entry.channelTask)
  entry.appliedKey = key
  entry.channelTask = (yield fork(channelWithinCapacity, ctx, topic, config, entry.subscribers)) as Task
}

function newEntry(): TopicEntry {
  return { subscribers: new Map(), appliedKey: null, channelTask: null, applyTask: null, teardownTask: null }
}

function* stopEntry(entry: TopicEntry): SagaIterator<void> {
  const tasks = [entry.applyTask, entry.channelTask, entry.teardownTask].filter(
    (task): task is Task => task !== null && task.isRunning(),
  )
  entry.applyTask = null
  entry.channelTask = null
  entry.teardownTask = null
  if (tasks.length > 0) yield cancel(tasks)
}
