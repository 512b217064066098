import type { CrossTabRole } from '../slice/state'

/** The cross-tab role of this tab, for the polling scheduler. */
export interface TabRoleSource {
  current(): CrossTabRole
  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (role: CrossTabRole) => void): () => void
}

/** A {@link TabRoleSource} the cross-tab manager sets. Starts `off`. */
export function createTabRoleSource(): TabRoleSource & { set(role: CrossTabRole): void } {
  let role: CrossTabRole = 'off'
  const listeners = new Set<(role: CrossTabRole) => void>()
  return {
    current: () => role,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(next) {
      if (next === role) return
      role = next
      for (const listener of [...listeners]) listener(next)
    },
  }
}
