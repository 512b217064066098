import { useCallback, useEffect, useMemo, useRef } from 'react'
import { systemClock } from '../env/clock'
import { useLatestRef } from './useLatestRef'
import { assertDelay, createLatestDebouncer } from './latestDebouncer'
import { useOptionalRealtime } from './RealtimeProvider'

/** Options of {@link useDebouncedRealtimeUpdate}. */
export interface DebounceOptions {
  /** During a stream that never pauses, deliver at least this often. Default: 10 × `delay`. */
  maxWaitMs?: number
}

/**
 * Returns a stable function that collapses bursts of realtime payloads into one call of
 * `callback` with the latest payload, `delay` ms after the burst ends (and at least every
 * `maxWaitMs` while it goes on). The latest `callback` is always the one called; a pending
 * call is dropped on unmount, and delivered at once when `delay` changes. Time comes from the
 * realtime instance's clock when inside a `<RealtimeProvider>`.
 *
 * @example
 * const redraw = useDebouncedRealtimeUpdate((event: RealtimeEvent) => setLatest(event), 100)
 * useRealtimeSubscription({ topic: 'tasks', broadcast: ['TASK_PROGRESS'], onMessage: redraw })
 */
export function useDebouncedRealtimeUpdate<T>(
  callback: (payload: T) => void,
  delay = 100,
  options: DebounceOptions = {},
): (payload: T) => void {
  const delayMs = assertDelay('useDebouncedRealtimeUpdate(): delay', delay)
  const maxWaitMs = assertDelay('useDebouncedRealtimeUpdate(): options.maxWaitMs', options.maxWaitMs ?? delayMs * 10)
  const clock = useOptionalRealtime()?.env.clock ?? systemClock
  const latest = useLatestRef(callback)
  const debouncer = useMemo(
    () => createLatestDebouncer<T>(clock, delayMs, Math.max(delayMs, maxWaitMs), (payload) => latest.current(payload)),
    [clock, delayMs, maxWaitMs, latest],
  )
  // Declared first so its cleanup runs first: on unmount the pending payload is dropped; when only
  // the delay changes, the old debouncer delivers what it holds instead of losing it.
  const unmounting = useRef(false)
  useEffect(() => {
    unmounting.current = false
    return () => {
      unmounting.current = true
    }
  }, [])
  useEffect(
    () => () => {
      if (unmounting.current) debouncer.cancel()
      else debouncer.flush()
    },
    [debouncer],
  )
  return useCallback((payload: T) => debouncer.push(payload), [debouncer])
}
