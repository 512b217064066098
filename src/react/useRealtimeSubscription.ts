import { useCallback, useEffect, useMemo } from 'react'
import { useSelector } from 'react-redux'
import type { ErrorRecord } from '../slice/state'
import type { SerializableSpec, SubscriptionSpec } from '../subscription/spec'
import { validateSpec } from '../subscription/validateSpec'
import type { RealtimeEvent } from '../events/events'
import type { BroadcastResult } from '../events/port'
import { assertDelay, createLatestDebouncer } from './latestDebouncer'
import { useRealtime } from './RealtimeProvider'
import { useLatestRef } from './useLatestRef'

/** What {@link useRealtimeSubscription} takes: a subscription spec plus React-only switches. */
export interface UseRealtimeSubscriptionOptions<TagType extends string = string> extends SubscriptionSpec<TagType> {
  /** False holds no subscription (and reports not subscribed). Default true. */
  enabled?: boolean
  /** Deliver `onMessage` at most once per burst, with the latest event, this many ms after it ends. */
  debounceMs?: number
}

/** What {@link useRealtimeSubscription} reports. */
export interface RealtimeSubscriptionResult {
  /** The socket is up (the server answered a heartbeat). */
  isConnected: boolean
  /**
   * This topic's channel is joined. Per topic, not per subscriber: a component that adds
   * bindings to a joined topic sees `true` until the channel is recreated with them (debounced).
   */
  isSubscribed: boolean
  /**
   * Why the topic is not subscribed: the channel's error while it is in `error` (retrying or
   * not), or the connection's while it has `failed`. Null while joined, or (re)joining normally.
   */
  error: ErrorRecord | null
  /** Sends a broadcast on this topic. Never rejects. */
  broadcast(event: string, payload: unknown): Promise<BroadcastResult>
}

/** The serializable spec, or null when disabled; validated during render so a bad spec throws where it is written. */
function useStableSpec(options: UseRealtimeSubscriptionOptions): SerializableSpec | null {
  const { enabled = true, onMessage: _onMessage, debounceMs: _debounceMs, ...spec } = options
  const validated = enabled ? validateSpec(spec) : null
  const key = validated === null ? null : JSON.stringify(validated)
  // Keyed by content, not identity: an inline spec object re-created on every render is the same subscription.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => validated, [key])
}

/**
 * Keeps a topic subscribed while the component is mounted (ref-counted with every other
 * subscriber of the topic: many components, one channel). A changed spec resubscribes once;
 * StrictMode's double mount costs no extra join (the registry debounces); the latest
 * `onMessage` is always the one called, without resubscribing.
 *
 * @example
 * const { isSubscribed, broadcast } = useRealtimeSubscription({
 *   topic: `project:${projectId}`,
 *   postgres: [{ event: '*', schema: 'public', table: 'generations', filter: `project_id=eq.${projectId}` }],
 *   tags: [{ type: 'UnifiedGenerations', id: `project:${projectId}` }],
 *   onMessage: (event) => console.debug(event.kind),
 *   debounceMs: 100,
 * })
 */
export function useRealtimeSubscription<TagType extends string = string>(
  options: UseRealtimeSubscriptionOptions<TagType>,
): RealtimeSubscriptionResult {
  const realtime = useRealtime()
  const spec = useStableSpec(options)
  const debounceMs =
    options.debounceMs === undefined ? 0 : assertDelay('useRealtimeSubscription(): debounceMs', options.debounceMs)
  const onMessage = useLatestRef(options.onMessage)

  useEffect(() => {
    if (spec === null) return undefined
    const deliver = (event: RealtimeEvent) => onMessage.current?.(event)
    const debouncer =
      debounceMs > 0 ? createLatestDebouncer(realtime.env.clock, debounceMs, debounceMs * 10, deliver) : null
    const handle = realtime.subscribe({ ...spec, onMessage: debouncer ? (event) => debouncer.push(event) : deliver })
    return () => {
      handle.unsubscribe()
      debouncer?.cancel()
    }
  }, [realtime, spec, debounceMs, onMessage])

  const topic = options.topic
  const { selectChannels, selectConnectionState, selectLastError } = realtime.selectors
  // Narrow selections: the channel record changes on every message batch (lastMessageAt), and a
  // component that subscribes must not re-render at event rate.
  const isConnected = useSelector((root) => selectConnectionState(root) === 'connected')
  const channelState = useSelector((root) => selectChannels(root)[topic]?.state)
  const channelError = useSelector((root) => {
    const channel = selectChannels(root)[topic]
    return channel?.state === 'error' ? channel.lastError : null
  })
  const connectionError = useSelector((root) =>
    selectConnectionState(root) === 'failed' ? selectLastError(root) : null,
  )
  const broadcast = useCallback(
    (event: string, payload: unknown) => realtime.broadcast(topic, event, payload),
    [realtime, topic],
  )

  const isSubscribed = spec !== null && channelState === 'subscribed'
  const error = spec === null || isSubscribed ? null : (channelError ?? connectionError)
  return { isConnected, isSubscribed, error, broadcast }
}
