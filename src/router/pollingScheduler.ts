import type { TabRoleSource } from '../crossTab/roleSource'
import type { Clock, TimerHandle } from '../env/clock'
import type { Random } from '../env/random'
import type { ConnectionState } from '../policy/connectionTransition'
import { isRealtimeDown, pollingInterval, type PollingOptions } from '../policy/pollingPolicy'

export interface PollingView {
  connection: ConnectionState
  visible: boolean
  /** While the connection is up, some topic with subscribers is not live (joining, failed, closed, waiting for auth). */
  degraded: boolean
  /**
   * The connection's probes are answered late (a slow link): events arrive late on it, so it is
   * polled as a lost connection is (every active topic, at once when a poll is overdue).
   */
  slow?: boolean
}

export type PollReason = 'dead-mode' | 'degraded' | 'safety-net'

/**
 * The polling options plus, when cross-tab is on, this tab's role: a follower whose leader polls
 * for it polls on the hidden cadence (the router passes the instance's `tabRole`).
 */
export type PollingSchedulerOptions = PollingOptions & { tabRole?: TabRoleSource }

function reasonOf(view: PollingView): PollReason {
  if (isRealtimeDown(view.connection) || view.slow) return 'dead-mode'
  return view.degraded ? 'degraded' : 'safety-net'
}

/**
 * Runs the polling fallback: while realtime is down (or disabled) every active subscription's
 * tags are invalidated on the jittered dead-mode cadence; while the socket is up but some topic
 * is not live (its channel joining, failed, closed or waiting for auth), that topic's tags on the
 * same cadence; while every topic is live, on the safety-net cadence. `replan()` after any
 * change of connection, visibility or liveness. When the connection is lost, a poll that is
 * already overdue under the new cadence happens at once (the link was unverified since before
 * the loss was noticed); when a topic stops being live on a working connection (a join in
 * progress, a failed channel), its first poll is one cadence later, so a join that completes in
 * time costs no poll, and a slow one is polled without having to fail first. With `options.tabRole`, a change of this tab's
 * cross-tab role or coverage replans too: a follower polls on the hidden cadence only while its
 * leader polls for it ({@link TabRoleSource.coveredByLeader}); otherwise it polls as a lone tab.
 */
export class PollingScheduler {
  private timer: TimerHandle | null = null
  private lastPollAt: number | null = null
  private mode: string | null = null
  private reason: PollReason | null = null
  /** When some topic stopped being live on a working connection (the first degraded poll is one cadence after it). */
  private notLiveFrom: number | null = null
  private cadence: number | null = null
  private unwatchRole: (() => void) | null = null

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly options: PollingSchedulerOptions,
    private readonly read: () => PollingView,
    private readonly poll: (reason: PollReason) => void,
    private readonly cadenceChanged: (intervalMs: number | null) => void,
  ) {}

  /** The cadence in force (null: no polling). */
  current(): number | null {
    return this.cadence
  }

  replan(): void {
    this.unwatchRole ??= this.options.tabRole?.subscribe(() => this.replan()) ?? null
    const view = this.read()
    const mode = `${reasonOf(view)}:${view.visible}:${this.isCovered()}`
    this.lastPollAt ??= this.clock.now()
    if (mode !== this.mode) {
      this.mode = mode
      this.enter(reasonOf(view))
      this.pickCadence(view)
    }
    this.arm()
  }

  stop(): void {
    this.unwatchRole?.()
    this.unwatchRole = null
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    this.mode = null
    this.reason = null
    this.notLiveFrom = null
    this.lastPollAt = null
  }

  private enter(reason: PollReason): void {
    if (reason === 'degraded' && this.reason === 'safety-net') this.notLiveFrom = this.clock.now()
    else if (reason !== 'degraded') this.notLiveFrom = null
    this.reason = reason
  }

  /** A follower the leader polls for (its poll relays reach this tab while it is visible). */
  private isCovered(): boolean {
    const role = this.options.tabRole
    return role !== undefined && role.current() === 'follower' && role.coveredByLeader()
  }

  private pickCadence(view: PollingView): void {
    const cadence = pollingInterval({ ...view, follower: this.isCovered() }, this.options, this.random)
    if (cadence !== this.cadence) this.cadenceChanged(cadence)
    this.cadence = cadence
  }

  private arm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    if (this.cadence === null || this.lastPollAt === null) return
    const from = this.notLiveFrom === null ? this.lastPollAt : Math.max(this.lastPollAt, this.notLiveFrom)
    const wait = Math.max(0, from + this.cadence - this.clock.now())
    this.timer = this.clock.setTimeout(() => this.fire(), wait)
  }

  private fire(): void {
    this.timer = null
    const view = this.read()
    this.lastPollAt = this.clock.now()
    try {
      this.poll(reasonOf(view))
    } finally {
      // Re-armed even when a poll throws (a reducer or middleware downstream): polling never stops while down.
      // A fresh jitter for every interval, so tabs that polled together drift apart.
      this.pickCadence(view)
      this.arm()
    }
  }
}
