import { createRealtimeSelectors } from './selectors'

/**
 * Selectors for an instance mounted at the default `reducerPath` (`'realtime'`). With another
 * path, use `realtime.selectors`.
 *
 * @example
 * const connection = useSelector(selectConnectionState)
 */
export const defaultSelectors = createRealtimeSelectors('realtime')
export const {
  selectConnectionState,
  selectChannels,
  selectChannel,
  selectMetrics,
  selectPollingInterval,
  selectLastError,
  selectAlert,
  selectRecentErrors,
  selectCrossTab,
} = defaultSelectors
