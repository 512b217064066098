import { compareVersions } from './patchVersions'

/** Keys remembered per endpoint at most; the least recently written are forgotten first. */
export const MAX_RECENT_KEYS = 1_000

interface Write {
  /** The event's commit timestamp (null when the payload had none). */
  at: string | null
  deleted: boolean
}

/** What the order of commits says about an event. */
export type OrderVerdict = 'newer' | 'older' | 'unknown-after-delete'

/**
 * The last commit seen per row key of each patched endpoint, with tombstones for deletes, so
 * that an event delivered late (over another topic, or after a reconnect) never undoes a newer
 * one: an UPDATE behind its row's DELETE does not resurrect it, a DELETE behind a re-INSERT
 * does not remove it. Bounded: at most {@link MAX_RECENT_KEYS} keys per endpoint.
 */
export class RecentWrites {
  private readonly byEndpoint = new Map<string, Map<string, Write>>()

  /** Compares an event with the last write to its row. Equal commits (one transaction) count as newer. */
  verdict(endpoint: string, key: unknown, at: string | null, deleting: boolean): OrderVerdict {
    const last = this.byEndpoint.get(endpoint)?.get(String(key))
    if (!last) return 'newer'
    const order = compareVersions(at, last.at)
    if (order === null) return last.deleted && !deleting ? 'unknown-after-delete' : 'newer'
    return order < 0 ? 'older' : 'newer'
  }

  record(endpoint: string, key: unknown, at: string | null, deleted: boolean): void {
    let writes = this.byEndpoint.get(endpoint)
    if (!writes) this.byEndpoint.set(endpoint, (writes = new Map()))
    const id = String(key)
    writes.delete(id)
    writes.set(id, { at, deleted })
    if (writes.size > MAX_RECENT_KEYS) writes.delete(writes.keys().next().value as string)
  }

  /** Keys remembered for an endpoint (for tests and the debug panel). */
  size(endpoint: string): number {
    return this.byEndpoint.get(endpoint)?.size ?? 0
  }

  clear(): void {
    this.byEndpoint.clear()
  }
}
