import { constantSignal, type SignalSource } from './signal'

/** Page visibility from `document.visibilityState`; always visible where there is no document. */
export function createDocumentVisibility(): SignalSource {
  const doc = (globalThis as { document?: Document }).document
  if (!doc || typeof doc.addEventListener !== 'function') return constantSignal(true)
  const current = () => doc.visibilityState !== 'hidden'
  return {
    current,
    subscribe(listener) {
      const onChange = () => listener(current())
      doc.addEventListener('visibilitychange', onChange)
      return () => doc.removeEventListener('visibilitychange', onChange)
    },
  }
}
