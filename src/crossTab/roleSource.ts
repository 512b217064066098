import { createSubscribers } from '../env/subscribers'
import type { CrossTabRole } from '../slice/state'

/** The cross-tab role of this tab, for the polling scheduler. */
export interface TabRoleSource {
  current(): CrossTabRole
  /**
   * True while this tab is a follower whose leader polls for it: the leader's latest heartbeat
   * says it is visible and polling, and this tab's latest heartbeat announced the tags its own
   * poll invalidates. Only then does a visible follower poll on the hidden cadence.
   */
  coveredByLeader(): boolean
  /** Calls `listener` on every change of the role or of the coverage; returns the unsubscribe function. */
  subscribe(listener: (role: CrossTabRole) => void): () => void
}

/** A {@link TabRoleSource} the cross-tab manager sets. Starts `off`, not covered. */
export function createTabRoleSource(): TabRoleSource & {
  set(role: CrossTabRole): void
  setCovered(covered: boolean): void
} {
  let role: CrossTabRole = 'off'
  let covered = false
  const listeners = createSubscribers<CrossTabRole>()
  const notify = () => listeners.notify(role)
  return {
    current: () => role,
    coveredByLeader: () => covered,
    subscribe: listeners.subscribe,
    set(next) {
      if (next === role) return
      role = next
      notify()
    },
    setCovered(next) {
      if (next === covered) return
      covered = next
      notify()
    },
  }
}
