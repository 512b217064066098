/** What this tab knows of another tab from its last heartbeat. */
export interface Peer {
  lastSeen: number
  leader: boolean
  visible: boolean
}

/** The other tabs heard from recently. A tab silent for `staleMs` is gone (closed, crashed or frozen). */
export class PeerTable {
  private readonly peers = new Map<string, Peer>()

  constructor(private readonly staleMs: number) {}

  /** Records a heartbeat; true when the tab was not known yet. */
  heard(id: string, peer: Peer): boolean {
    const known = this.peers.has(id)
    this.peers.set(id, peer)
    return !known
  }

  forget(id: string): void {
    this.peers.delete(id)
  }

  clear(): void {
    this.peers.clear()
  }

  /** Drops the tabs not heard within `staleMs` of `now`. */
  prune(now: number): void {
    for (const [id, peer] of this.peers) if (now - peer.lastSeen > this.staleMs) this.peers.delete(id)
  }

  get size(): number {
    return this.peers.size
  }

  /** The lowest id among the tabs that say they lead (normally at most one). */
  leader(): string | null {
    let found: string | null = null
    for (const [id, peer] of this.peers) if (peer.leader && (found === null || id < found)) found = id
    return found
  }

  /** True when `id` ranks first among itself and the visible tabs that do not lead: the lowest id wins. */
  ranksFirst(id: string): boolean {
    for (const [other, peer] of this.peers) if (peer.visible && !peer.leader && other < id) return false
    return true
  }
}
