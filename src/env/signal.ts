/** A boolean fact about the environment (page visible, browser online) that can change. */
export interface SignalSource {
  current(): boolean
  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (value: boolean) => void): () => void
}

/** A signal that never changes: the default where there is no `document` or `window` (SSR, Node). */
export function constantSignal(value: boolean): SignalSource {
  return { current: () => value, subscribe: () => () => undefined }
}
