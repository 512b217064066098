import type { SagaIterator } from 'redux-saga'
import { call, put, take } from 'redux-saga/effects'
import { RealtimeError, serializeRealtimeError } from '../errors/realtimeError'
import type { SerializableSpec } from '../subscription/spec'
import type { ChannelConfig } from '../events/port'
import { tryTakeSlot } from './capacity'
import { channelSaga } from './channelSaga'
import type { CoreContext } from './context'

/**
 * A topic's channel, within the connection's channels: a topic beyond `channelsPerConnection`
 * waits (reported, counted once, polled meanwhile since it is not live) until a slot is freed,
 * then runs {@link channelSaga}. The registry frees the slot when the topic's last subscriber is gone.
 */
export function* channelWithinCapacity(
  ctx: CoreContext,
  topic: string,
  config: ChannelConfig,
  subscribers: ReadonlyMap<string, SerializableSpec>,
): SagaIterator<void> {
  const { capacity } = ctx
  if (!tryTakeSlot(capacity, topic)) {
    // Counted when the topic starts waiting: a rebind while it waits restarts this saga, not the wait.
    const startsWaiting = !capacity.waiting.includes(topic)
    if (startsWaiting) capacity.waiting.push(topic)
    const limit = capacity.limits.channelsPerConnection
    const error = new RealtimeError(
      'SUBSCRIPTION_FAILED',
      `${topic} waits for a channel: this client already has ${limit} open, the plan's channels per connection (limits.channelsPerConnection); the topic is polled, not live, until one closes`,
      { context: { topic, channelsPerConnection: limit } },
    )
    ctx.logger.once(
      'over-capacity',
      'warn',
      `more topics than the plan's ${limit} channels per connection: the topics beyond it are polled, not live, until a channel closes; subscribe to fewer topics or set limits.channelsPerConnection`,
      { topic },
    )
    const at = ctx.env.clock.now()
    yield put(
      ctx.actions.channelErrored({
        topic,
        error: serializeRealtimeError(error),
        retryInMs: null,
        ...(startsWaiting ? { overCapacity: true } : {}),
        at,
      }),
    )
    while (!capacity.holders.has(topic))
      yield take(capacity.granted, (grant: { topic: string }) => grant.topic === topic)
  }
  yield call(channelSaga, ctx, topic, config, subscribers)
}
