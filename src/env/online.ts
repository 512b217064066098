import { constantSignal, type SignalSource } from './signal'

/** Network reachability from `navigator.onLine` and the window's online/offline events. */
export function createNavigatorOnline(): SignalSource {
  const win = (globalThis as { window?: Window }).window
  const nav = (globalThis as { navigator?: Navigator }).navigator
  if (!win || typeof win.addEventListener !== 'function' || !nav) return constantSignal(true)
  const current = () => nav.onLine !== false
  return {
    current,
    subscribe(listener) {
      const onOnline = () => listener(true)
      const onOffline = () => listener(false)
      win.addEventListener('online', onOnline)
      win.addEventListener('offline', onOffline)
      return () => {
        win.removeEventListener('online', onOnline)
        win.removeEventListener('offline', onOffline)
      }
    },
  }
}
