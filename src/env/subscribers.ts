/**
 * A set of listeners to notify of a value: the one subscribe/notify mechanism of the library's
 * changeable sources (the cross-tab role, signals set by hand).
 * @internal
 */
export interface Subscribers<T> {
  /** Adds `listener`; returns the function that removes it (idempotent). */
  subscribe(listener: (value: T) => void): () => void
  /** Calls every listener with `value`; a listener added or removed during the call takes effect next time. */
  notify(value: T): void
}

/** @internal */
export function createSubscribers<T>(): Subscribers<T> {
  const listeners = new Set<(value: T) => void>()
  return {
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    notify(value) {
      for (const listener of [...listeners]) listener(value)
    },
  }
}
