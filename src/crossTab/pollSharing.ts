import { tagKey, type FullTag } from '../router/tags'
import { STALE_MS } from './elector'
import { announcedTags, type HeartbeatMessage } from './protocol'

/** What this tab knows of another tab's polling from its last heartbeat. */
interface PeerPolling {
  lastSeen: number
  visible: boolean
  polling: boolean
  /** The tags it announced (it was visible and polling), or null. */
  tags: FullTag[] | null
}

export interface PollSharingDeps {
  now(): number
  /** The tags this tab's own dead-mode (or degraded) poll invalidates now; null while it does not poll. */
  ownPollTags(): FullTag[] | null
  /** This tab is visible. */
  visible(): boolean
}

/**
 * Dead-mode polling shared among the tabs of one origin, so that one tab polls fast without
 * leaving any visible tab staler than it would be alone:
 *
 * - Every heartbeat says whether the tab polls (`polling`) and, while it is visible and polls,
 *   which tags its own poll invalidates (`tags`, at most `MAX_RELAY_TAGS`, else none).
 * - The leader's poll invalidates its own tags and those announced by live visible tabs (a tab
 *   silent for {@link STALE_MS} is forgotten with its tags), and is relayed to the other tabs.
 * - A follower is covered, and polls on the hidden cadence, only while its leader's latest
 *   heartbeat says the leader is visible and polling and this tab's latest heartbeat announced its
 *   tags. Otherwise it polls exactly as a lone tab.
 * - A poll relay applies only in a tab that is visible and polls itself: a hidden tab keeps its
 *   own hidden cadence, and a tab whose realtime works does not need it.
 */
export class PollSharing {
  private readonly peers = new Map<string, PeerPolling>()
  private role: 'solo' | 'leader' | 'follower' = 'solo'
  private leaderId: string | null = null
  /** This tab's latest heartbeat announced its tags. */
  private announced = false

  constructor(private readonly deps: PollSharingDeps) {}

  /** The polling fields of this tab's next heartbeat (records what it announces). */
  heartbeatFields(): Pick<HeartbeatMessage, 'polling' | 'tags'> {
    const own = this.deps.ownPollTags()
    const tags = own !== null && this.deps.visible() ? announcedTags(own) : undefined
    this.announced = tags !== undefined
    return tags === undefined ? { polling: own !== null } : { polling: true, tags }
  }

  heard(message: HeartbeatMessage): void {
    const tags = message.visible && message.polling === true && message.tags ? message.tags : null
    this.peers.set(message.from, {
      lastSeen: this.deps.now(),
      visible: message.visible,
      polling: message.polling === true,
      tags,
    })
  }

  forget(id: string): void {
    this.peers.delete(id)
  }

  roleChanged(role: 'solo' | 'leader' | 'follower', leaderId: string | null): void {
    this.role = role
    this.leaderId = leaderId
  }

  clear(): void {
    this.peers.clear()
    this.role = 'solo'
    this.leaderId = null
    this.announced = false
  }

  /** This tab follows a leader that polls for it (see the class comment). */
  covered(): boolean {
    if (this.role !== 'follower' || this.leaderId === null || !this.announced) return false
    this.prune()
    const leader = this.peers.get(this.leaderId)
    return leader !== undefined && leader.visible && leader.polling
  }

  /** The tags of this tab's poll: a leader adds those its live visible peers announced. */
  widen(own: FullTag[]): FullTag[] {
    if (this.role !== 'leader') return own
    this.prune()
    let union: Map<string, FullTag> | null = null
    for (const peer of this.peers.values()) {
      if (!peer.tags || peer.tags.length === 0) continue
      union ??= new Map(own.map((tag) => [tagKey(tag), tag]))
      for (const tag of peer.tags) union.set(tagKey(tag), tag)
    }
    return union ? [...union.values()] : own
  }

  /** The leader relays its polls while some live tab announced tags (it is covered by them). */
  relaysPolls(): boolean {
    if (this.role !== 'leader') return false
    this.prune()
    for (const peer of this.peers.values()) if (peer.tags) return true
    return false
  }

  /** A poll relay applies here: this tab is visible and polls itself. */
  acceptsPollRelay(): boolean {
    return this.deps.visible() && this.deps.ownPollTags() !== null
  }

  private prune(): void {
    const now = this.deps.now()
    for (const [id, peer] of this.peers) if (now - peer.lastSeen > STALE_MS) this.peers.delete(id)
  }
}
