import { thrownKind, type Logger } from '../env/logger'
import { eventMatchesSpec } from '../subscription/eventMatchesSpec'
import type { SerializableSpec } from '../subscription/spec'
import type { RealtimeEvent } from '../events/events'
import type { SagaRegistry } from './context'

/**
 * Hands one event to every subscriber of its topic whose own bindings match, then queues it
 * for the batch saga. A throwing `onMessage` is logged once and never stops delivery.
 * Returns true when no batch is open and the event is the first waiting: the batch saga must wake
 * and deliver it at once.
 */
export function deliverEvent(
  event: RealtimeEvent,
  subscribers: ReadonlyMap<string, SerializableSpec>,
  registry: SagaRegistry,
  logger: Logger,
): boolean {
  for (const [id, spec] of subscribers) {
    const onMessage = registry.callbacks.get(id)
    if (!onMessage || !eventMatchesSpec(event, spec)) continue
    try {
      onMessage(event)
    } catch (error) {
      logger.once(
        `onMessage-threw:${event.topic}`,
        'error',
        'an onMessage callback threw; other subscribers still receive the event',
        {
          topic: event.topic,
          error: thrownKind(error),
        },
      )
    }
  }
  registry.pendingEvents.push(event)
  return !registry.batchOpen && registry.pendingEvents.length === 1
}
