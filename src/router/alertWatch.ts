import type { Clock, TimerHandle } from '../env/clock'
import { isRealtimeDown } from '../policy/pollingPolicy'
import type { PollingView } from './pollingScheduler'

/** Realtime down for longer than this while visible… */
export const ALERT_DOWN_MS = 60_000
/** …with polling slower than this raises the alert. */
export const ALERT_CADENCE_MS = 10_000

/**
 * Decides `selectAlert`: the user should be told when realtime has been down over 60 s while
 * the page is visible and polling is slower than 10 s. A timer flips it exactly at 60 s.
 */
export class AlertWatch {
  private downSince: number | null = null
  private timer: TimerHandle | null = null
  private raised = false

  constructor(
    private readonly clock: Clock,
    private readonly changed: (alert: boolean) => void,
  ) {}

  update(view: PollingView, cadence: number | null): void {
    const now = this.clock.now()
    // 'idle' is not an outage: nothing is subscribed, so the socket is closed on purpose.
    const down = isRealtimeDown(view.connection) && view.connection !== 'idle'
    if (!down) this.downSince = null
    else this.downSince ??= now
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    const risky = down && view.visible && cadence !== null && cadence > ALERT_CADENCE_MS
    if (!risky || this.downSince === null) return this.set(false)
    const alertAt = this.downSince + ALERT_DOWN_MS
    if (now > alertAt) return this.set(true)
    this.set(false)
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = null
        this.set(true)
      },
      alertAt - now + 1,
    )
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    this.downSince = null
  }

  private set(alert: boolean): void {
    if (alert === this.raised) return
    this.raised = alert
    this.changed(alert)
  }
}
