import type { RealtimeEnvironment } from '../env/environment'
import type { Logger } from '../env/logger'
import type { SagaRegistry } from '../sagas/context'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { BroadcastResult } from '../events/port'
import type { StoreBinding } from './storeBinding'

/**
 * `realtime.broadcast`: sends on the topic's joined channel (an error, logged once, when there is
 * none) and reports the outcome. Never rejects.
 * @internal
 */
export function createBroadcast(
  registry: SagaRegistry,
  actions: RealtimeActions,
  binding: StoreBinding,
  { env, logger }: { env: RealtimeEnvironment; logger: Logger },
): (topic: string, event: string, payload: unknown) => Promise<BroadcastResult> {
  return async (topic, event, payload) => {
    const live = registry.liveChannels.get(topic)
    let status: BroadcastResult = 'error'
    if (!live)
      logger.once(
        `broadcast-unsubscribed:${topic}`,
        'warn',
        'broadcast() on a topic with no joined channel: subscribe to it first',
        { topic },
      )
    else status = await live.send(event, payload)
    binding.dispatch?.(actions.broadcastSent({ topic, event, status, at: env.clock.now() }))
    return status
  }
}
