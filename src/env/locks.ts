/** What a lock holder hears from a {@link LocksPort}. */
export interface LockHandlers {
  /** The lock is now held by this tab. */
  granted(): void
  /** The lock was taken away while held (another tab stole it). */
  lost(): void
  /** The request failed before it was granted (for example a sandboxed frame without lock access). */
  failed(): void
}

/**
 * Exclusive named locks shared by the tabs of one origin (the Web Locks API). A tab that
 * closes or crashes loses its locks at once; the browser does that, not us.
 */
export interface LocksPort {
  /**
   * Requests the exclusive lock `name`. Returns `release()`: gives the lock up when held, or
   * withdraws the request while it still waits. With `steal`, the lock is taken from its
   * holder at once (the holder hears `lost`).
   */
  request(name: string, handlers: LockHandlers, options?: { steal?: boolean }): () => void
}

/** The part of `navigator.locks` the port uses. */
export interface WebLockManager {
  request(
    name: string,
    options: { mode: 'exclusive'; signal?: AbortSignal; steal?: boolean },
    callback: () => Promise<void> | undefined,
  ): Promise<unknown>
}

/**
 * A {@link LocksPort} over a Web Locks manager (`navigator.locks`).
 *
 * @example
 * const locks = createWebLocks(navigator.locks)
 * const release = locks.request('my-app:leader', { granted: () => console.info('leading'), lost: () => console.info('lost it') })
 */
export function createWebLocks(manager: WebLockManager): LocksPort {
  return {
    request(name, handlers, options = {}) {
      const abort = new AbortController()
      let state: 'waiting' | 'held' | 'done' = 'waiting'
      let releaseHeld: (() => void) | null = null
      const lockOptions = options.steal
        ? { mode: 'exclusive' as const, steal: true }
        : { mode: 'exclusive' as const, signal: abort.signal }
      let pending: Promise<unknown>
      try {
        pending = manager.request(name, lockOptions, () => {
          if (state === 'done') return undefined
          state = 'held'
          return new Promise<void>((resolve) => {
            releaseHeld = resolve
            handlers.granted()
          })
        })
      } catch {
        state = 'done'
        // Reported after request() returns, as a refusal by the browser would be.
        void Promise.resolve().then(() => handlers.failed())
        return () => undefined
      }
      pending.then(
        () => undefined,
        () => {
          // AbortError: withdrawn while waiting (ours), or stolen while held (theirs); else a refusal.
          const was = state
          if (was === 'done') return
          state = 'done'
          if (was === 'held') handlers.lost()
          else handlers.failed()
        },
      )
      return () => {
        if (state === 'done') return
        const held = state === 'held'
        state = 'done'
        if (held) releaseHeld?.()
        else if (!options.steal) abort.abort()
      }
    },
  }
}

/** `navigator.locks` where the host has it; null elsewhere (SSR, Node, old browsers). */
export function systemLocks(): LocksPort | null {
  const manager = (globalThis as { navigator?: { locks?: Partial<WebLockManager> } }).navigator?.locks
  return manager && typeof manager.request === 'function' ? createWebLocks(manager as WebLockManager) : null
}
