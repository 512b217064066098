import type { TabRoleSource } from '../crossTab/roleSource'
import type { Clock, TimerHandle } from '../env/clock'
import type { Random } from '../env/random'
import type { ConnectionState } from '../policy/connectionTransition'
import { isRealtimeDown, pollingInterval, type PollingOptions } from '../policy/pollingPolicy'

export interface PollingView {
  connection: ConnectionState
  visible: boolean
  /** Some subscribed topic's channel failed (error/closed) while the connection is up. */
  degraded: boolean
}

export type PollReason = 'dead-mode' | 'degraded' | 'safety-net'

/**
 * The polling options plus, when cross-tab is on, this tab's role: a follower whose leader polls
 * for it polls on the hidden cadence (createRealtime adds `tabRole` to the resolved options).
 */
export type PollingSchedulerOptions = PollingOptions & { tabRole?: TabRoleSource }

function reasonOf(view: PollingView): PollReason {
  if (isRealtimeDown(view.connection)) return 'dead-mode'
  return view.degraded ? 'degraded' : 'safety-net'
}

/**
 * Runs the polling fallback: while realtime is down (or disabled) every active subscription's
 * tags are invalidated on the jittered dead-mode cadence; while the socket is up but some topic's
 * channel has failed, that topic's tags on the same cadence; while healthy, on the safety-net
 * cadence. `replan()` after any change of connection or visibility; a poll that is already
 * overdue under the new cadence happens at once. With `options.tabRole`, a change of this tab's
 * cross-tab role or coverage replans too: a follower polls on the hidden cadence only while its
 * leader polls for it ({@link TabRoleSource.coveredByLeader}); otherwise it polls as a lone tab.
 */
export class PollingScheduler {
  private timer: TimerHandle | null = null
  private lastPollAt: number | null = null
  private mode: string | null = null
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
    this.lastPollAt = null
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
    const wait = Math.max(0, this.lastPollAt + this.cadence - this.clock.now())
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
