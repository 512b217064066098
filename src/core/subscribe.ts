import type { SagaRegistry } from '../sagas/context'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { SubscriptionHandle, SubscriptionSpec } from '../subscription/spec'
import { validateSpec } from '../subscription/validateSpec'
import type { StoreBinding } from './storeBinding'

/**
 * `realtime.subscribe`: registers the spec under a fresh id, tells the registry saga, and returns
 * a handle whose `unsubscribe()` releases it once.
 * @internal
 */
export function createSubscribe(
  registry: SagaRegistry,
  actions: RealtimeActions,
  binding: StoreBinding,
): (spec: SubscriptionSpec) => SubscriptionHandle {
  let nextId = 0
  return (spec) => {
    const serializable = validateSpec(spec)
    nextId += 1
    const id = `${serializable.topic}#${nextId}`
    registry.requests.set(id, serializable)
    if (spec.onMessage) registry.callbacks.set(id, spec.onMessage)
    binding.dispatch?.(actions.subscriptionRequested({ id, spec: serializable }))
    let released = false
    return {
      id,
      topic: serializable.topic,
      unsubscribe() {
        if (released) return
        released = true
        registry.requests.delete(id)
        registry.callbacks.delete(id)
        binding.dispatch?.(actions.subscriptionReleased({ id }))
      },
    }
  }
}
