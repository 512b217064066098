import { createContext, useContext, type ReactNode } from 'react'
import type { Realtime } from '../core/createRealtime'

const RealtimeContext = createContext<Realtime | null>(null)
RealtimeContext.displayName = 'RealtimeContext'

/** Props of {@link RealtimeProvider}. */
export interface RealtimeProviderProps {
  /** The instance `createRealtime()` returned, started on the store of the surrounding `<Provider>`. */
  realtime: Realtime
  children?: ReactNode
}

/**
 * Makes a realtime instance available to the hooks and the debug panel. Place it inside
 * react-redux's `<Provider>` for the store the instance was started on.
 *
 * @example
 * <Provider store={store}>
 *   <RealtimeProvider realtime={realtime}>
 *     <App />
 *   </RealtimeProvider>
 * </Provider>
 */
export function RealtimeProvider({ realtime, children }: RealtimeProviderProps) {
  if (typeof realtime?.subscribe !== 'function' || typeof realtime.selectors !== 'object') {
    throw new TypeError('<RealtimeProvider>: the realtime prop must be the instance createRealtime() returned')
  }
  return <RealtimeContext.Provider value={realtime}>{children}</RealtimeContext.Provider>
}

/**
 * The realtime instance of the nearest {@link RealtimeProvider}.
 *
 * @example
 * const realtime = useRealtime()
 * realtime.broadcast('project:1', 'PING', {})
 */
export function useRealtime(): Realtime {
  const realtime = useContext(RealtimeContext)
  if (!realtime)
    throw new Error('[RealtimeCore] no realtime instance here: wrap the app in <RealtimeProvider realtime={realtime}>')
  return realtime
}

/** The instance of the nearest provider, or null (for hooks that also work without one). */
export function useOptionalRealtime(): Realtime | null {
  return useContext(RealtimeContext)
}
