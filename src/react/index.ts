/**
 * rtk-supabase-realtime/react: hooks and the debug panel. Every export here is public API.
 * Needs react-redux's `<Provider>` and a `<RealtimeProvider realtime={realtime}>` above.
 */
export { RealtimeProvider, useRealtime } from './RealtimeProvider'
export type { RealtimeProviderProps } from './RealtimeProvider'
export { useRealtimeSubscription } from './useRealtimeSubscription'
export type { UseRealtimeSubscriptionOptions, RealtimeSubscriptionResult } from './useRealtimeSubscription'
export { useRealtimeStatus } from './useRealtimeStatus'
export type { RealtimeStatus } from './useRealtimeStatus'
export { usePollingInterval } from './usePollingInterval'
export { useFreshness } from './useFreshness'
export { useDebouncedRealtimeUpdate } from './useDebouncedRealtimeUpdate'
export type { DebounceOptions } from './useDebouncedRealtimeUpdate'
export { RealtimeDebugPanel } from '../devtools/RealtimeDebugPanel'
export type { RealtimeDebugPanelProps } from '../devtools/RealtimeDebugPanel'
