import type { Clock, TimerHandle } from '../env/clock'
import type { LocksPort } from '../env/locks'
import type { Logger } from '../env/logger'
import { PeerTable } from './peers'
import type { ByeMessage, HeartbeatMessage } from './protocol'

/** Every tab says it is alive this often. */
export const HEARTBEAT_MS = 1_000
/** A tab silent this long is gone; a leader's tab frozen this long steps down. */
export const STALE_MS = 3_000

/** What the election tells the rest of the tab. */
export interface ElectionView {
  role: 'solo' | 'leader' | 'follower'
  leaderId: string | null
  peers: number
}

export interface ElectorDeps {
  clock: Clock
  logger: Logger
  tabId: string
  /** Web Locks, or null for the heartbeat-only election. */
  locks: LocksPort | null
  lockName: string
  send(message: HeartbeatMessage | ByeMessage): void
  changed(view: ElectionView): void
  /** The election fell back from Web Locks to heartbeats. */
  electionChanged?(election: 'locks' | 'heartbeat'): void
}

/**
 * Leader election among the tabs of one origin. Only visible tabs contend: a hidden tab polls on
 * the hidden cadence whatever its role, so leadership follows the tab the user looks at.
 *
 * - Web Locks: the tab holding the lock leads; the browser frees it when the tab closes. The
 *   leader heartbeats too; a visible tab that has waited {@link STALE_MS} without hearing a
 *   leader (its tab is frozen) steals the lock, if it ranks first (lowest id) among the waiting.
 * - Heartbeats only: after one heartbeat of listening, the first-ranked visible tab claims
 *   leadership when no live tab leads; of two leaders, the higher id steps down.
 * - Either way, a leader whose own timer fired {@link STALE_MS} late (its tab was frozen, or the
 *   machine slept) steps down and contends again, since the others may have moved on.
 */
export class Elector {
  private readonly peers = new PeerTable(STALE_MS)
  private locks: LocksPort | null
  private visible = true
  private leading = false
  private running = false
  private release: (() => void) | null = null
  /** Identifies the lock request in force: answers to older requests are ignored. */
  private lockToken: object | null = null
  /** The request in force takes the lock from a silent holder. */
  private stealing = false
  /** Since when this tab has been contending (listening, or waiting for the lock). */
  private contendingSince = 0
  private lastTickAt = 0
  private timer: TimerHandle | null = null
  private last: ElectionView | null = null

  constructor(private readonly deps: ElectorDeps) {
    this.locks = deps.locks
  }

  get election(): 'locks' | 'heartbeat' {
    return this.locks ? 'locks' : 'heartbeat'
  }

  start(visible: boolean): void {
    this.running = true
    this.visible = visible
    this.lastTickAt = this.deps.clock.now()
    this.contendingSince = this.lastTickAt
    this.announce()
    this.contend()
    this.schedule()
    this.evaluate()
  }

  stop(): void {
    if (!this.running) return
    this.running = false
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer)
    this.timer = null
    this.withdraw()
    this.deps.send({ v: 1, kind: 'bye', from: this.deps.tabId })
    this.peers.clear()
  }

  setVisible(visible: boolean): void {
    if (!this.running || visible === this.visible) return
    this.visible = visible
    if (!visible) this.withdraw()
    else {
      this.contendingSince = this.deps.clock.now()
      this.contend()
    }
    this.announce()
    this.evaluate()
  }

  heartbeat(message: HeartbeatMessage): void {
    if (!this.running || message.from === this.deps.tabId) return
    const isNew = this.peers.heard(message.from, {
      lastSeen: this.deps.clock.now(),
      leader: message.leader,
      visible: message.visible,
    })
    // A newcomer learns of us at once instead of after a heartbeat.
    if (isNew) this.announce()
    this.evaluate()
  }

  bye(message: ByeMessage): void {
    if (!this.running || message.from === this.deps.tabId) return
    this.peers.forget(message.from)
    this.evaluate()
  }

  private schedule(): void {
    this.timer = this.deps.clock.setTimeout(() => this.tick(), HEARTBEAT_MS)
  }

  private tick(): void {
    this.timer = null
    if (!this.running) return
    const now = this.deps.clock.now()
    if (now - this.lastTickAt > STALE_MS) this.thawed()
    this.lastTickAt = now
    this.announce()
    this.evaluate()
    this.schedule()
  }

  /** This tab was frozen: what it knows is stale, and another tab may lead by now. */
  private thawed(): void {
    this.peers.clear()
    this.contendingSince = this.deps.clock.now()
    if (!this.leading) return
    this.deps.logger.info('this tab was frozen: it steps down as cross-tab leader and contends again')
    this.withdraw()
    this.contend()
  }

  private contend(): void {
    if (!this.locks || !this.visible || this.lockToken) return
    this.contendingSince = this.deps.clock.now()
    this.requestLock(false)
  }

  private requestLock(steal: boolean): void {
    const locks = this.locks as LocksPort
    const token = {}
    this.lockToken = token
    this.stealing = steal
    const current = () => this.lockToken === token
    const release = locks.request(
      this.deps.lockName,
      {
        granted: () => {
          if (!current() || !this.running) return
          this.leading = true
          this.announce()
          this.evaluate()
        },
        lost: () => {
          if (!current()) return
          this.lockToken = null
          this.stealing = false
          this.release = null
          this.leading = false
          this.contend()
          this.evaluate()
        },
        failed: () => {
          if (!current()) return
          this.deps.logger.once(
            'cross-tab-locks-failed',
            'warn',
            'Web Locks refused the leader lock: electing by heartbeats instead',
          )
          this.lockToken = null
          this.release = null
          this.locks = null
          this.deps.electionChanged?.('heartbeat')
          this.evaluate()
        },
      },
      { steal },
    )
    if (current()) this.release = release
  }

  /** Gives up leadership and any lock request. */
  private withdraw(): void {
    const release = this.release
    this.lockToken = null
    this.stealing = false
    this.release = null
    release?.()
    if (this.leading) {
      this.leading = false
      this.announce()
    }
  }

  private announce(): void {
    if (!this.running) return
    this.deps.send({ v: 1, kind: 'heartbeat', from: this.deps.tabId, leader: this.leading, visible: this.visible })
  }

  private evaluate(): void {
    if (!this.running) return
    const now = this.deps.clock.now()
    this.peers.prune(now)
    const otherLeader = this.peers.leader()
    const waitedLongEnough = now - this.contendingSince >= (this.locks ? STALE_MS : HEARTBEAT_MS)
    const mayLead = this.visible && otherLeader === null && waitedLongEnough && this.peers.ranksFirst(this.deps.tabId)
    if (this.locks) {
      // The lock is held by a tab that says nothing: it is frozen. Take the lock from it.
      if (!this.leading && this.lockToken && !this.stealing && mayLead) {
        this.deps.logger.info('the cross-tab leader is silent: taking its lock')
        this.withdraw()
        this.requestLock(true)
      }
    } else if (!this.leading && mayLead) {
      this.leading = true
      this.announce()
    } else if (this.leading && otherLeader !== null && otherLeader < this.deps.tabId) {
      this.leading = false
      this.announce()
    }
    this.report()
  }

  private report(): void {
    const peers = this.peers.size
    const role = this.leading ? (peers > 0 ? 'leader' : 'solo') : peers > 0 ? 'follower' : 'solo'
    const leaderId = this.leading ? this.deps.tabId : this.peers.leader()
    const last = this.last
    if (last && last.role === role && last.leaderId === leaderId && last.peers === peers) return
    this.last = { role, leaderId, peers }
    this.deps.changed(this.last)
  }
}
