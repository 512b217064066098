/** One named channel to the other tabs of this origin (a BroadcastChannel). */
export interface BroadcastPort {
  /** Sends a structured-cloneable message to the other tabs; false when it could not be sent. */
  post(message: unknown): boolean
  /** Messages from other tabs (an undeliverable one arrives as `undefined`); returns the unsubscribe function. */
  subscribe(listener: (data: unknown) => void): () => void
  close(): void
}

/** Opens the channel `name`. */
export type BroadcastChannelFactory = (name: string) => BroadcastPort

/** The part of the `BroadcastChannel` constructor the port uses. */
export type BroadcastChannelConstructor = new (name: string) => {
  postMessage(message: unknown): void
  addEventListener(type: 'message' | 'messageerror', listener: (event: { data?: unknown }) => void): void
  removeEventListener(type: 'message' | 'messageerror', listener: (event: { data?: unknown }) => void): void
  close(): void
}

/**
 * A {@link BroadcastChannelFactory} over a `BroadcastChannel` constructor.
 *
 * @example
 * const open = createBroadcastChannelFactory(BroadcastChannel)
 * const port = open('my-app')
 * const stop = port.subscribe((data) => console.info(data))
 */
export function createBroadcastChannelFactory(Channel: BroadcastChannelConstructor): BroadcastChannelFactory {
  return (name) => {
    const channel = new Channel(name)
    let closed = false
    return {
      post(message) {
        if (closed) return false
        try {
          channel.postMessage(message)
          return true
        } catch {
          return false
        }
      },
      subscribe(listener) {
        const onMessage = (event: { data?: unknown }) => listener(event.data)
        const onError = () => listener(undefined)
        channel.addEventListener('message', onMessage)
        channel.addEventListener('messageerror', onError)
        return () => {
          channel.removeEventListener('message', onMessage)
          channel.removeEventListener('messageerror', onError)
        }
      },
      close() {
        closed = true
        channel.close()
      },
    }
  }
}

/**
 * `BroadcastChannel` in a browser document; null elsewhere. Node has a BroadcastChannel too,
 * but there it joins every store of the process (SSR requests of different users), so a
 * server never gets one by default.
 */
export function systemBroadcastChannel(): BroadcastChannelFactory | null {
  const scope = globalThis as { document?: unknown; BroadcastChannel?: BroadcastChannelConstructor }
  if (typeof scope.document !== 'object' || scope.document === null || typeof scope.BroadcastChannel !== 'function')
    return null
  return createBroadcastChannelFactory(scope.BroadcastChannel)
}
