import type { Clock, TimerHandle } from '../env/clock'
import type { FullTag } from './tags'

export interface ThrottledTag {
  key: string
  tag: FullTag
  /** Receive time of the earliest event behind this invalidation (for a synthetic one, when it was asked for). */
  eventAt: number
  /** No realtime event is behind it (a poll, a kick, a catch-up): it has no event latency to measure. */
  synthetic?: boolean
}

/** What a trailing invalidation carries: an event over a synthetic request, then the earliest. */
function preferred(current: ThrottledTag | null, next: ThrottledTag): ThrottledTag {
  if (!current) return next
  if (Boolean(current.synthetic) !== Boolean(next.synthetic)) return current.synthetic ? next : current
  return next.eventAt < current.eventAt ? next : current
}

interface Window {
  endsAt: number
  trailing: ThrottledTag | null
}

/** The window never drops below this once a tag is under churn. */
export const CHURN_FLOOR_MS = 500

/**
 * Per-tag leading/trailing throttle. The first event for a tag passes at once; further events
 * in its window coalesce into one trailing invalidation when the window ends, which opens the
 * next window. Nothing is dropped: a coalesced event always leads to a later invalidation.
 */
export class TagThrottle {
  private readonly windows = new Map<string, Window>()
  private timer: TimerHandle | null = null
  private timerAt = Number.POSITIVE_INFINITY

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    /** Receives the trailing invalidations due at the same moment, together. */
    private readonly onTrailing: (due: ThrottledTag[]) => void,
  ) {}

  /** Offers tags; returns those to invalidate now and how many coalesced into a pending trailing one. */
  offer(tags: Iterable<ThrottledTag>): { now: ThrottledTag[]; coalesced: number } {
    const at = this.clock.now()
    const now: ThrottledTag[] = []
    let coalesced = 0
    for (const entry of tags) {
      const window = this.windows.get(entry.key)
      if (!window) {
        now.push(entry)
        this.windows.set(entry.key, { endsAt: at + this.windowMs, trailing: null })
        continue
      }
      coalesced += 1
      window.trailing = preferred(window.trailing, entry)
    }
    this.schedule()
    return { now, coalesced }
  }

  /** Open windows (tags seen recently). */
  size(): number {
    return this.windows.size
  }

  clear(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    this.timerAt = Number.POSITIVE_INFINITY
    this.windows.clear()
  }

  private schedule(): void {
    let earliest = Number.POSITIVE_INFINITY
    for (const window of this.windows.values()) if (window.endsAt < earliest) earliest = window.endsAt
    if (earliest === this.timerAt) return
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    this.timerAt = earliest
    if (earliest === Number.POSITIVE_INFINITY) return
    this.timer = this.clock.setTimeout(() => this.expire(), Math.max(0, earliest - this.clock.now()))
  }

  private expire(): void {
    this.timer = null
    this.timerAt = Number.POSITIVE_INFINITY
    const at = this.clock.now()
    const due: ThrottledTag[] = []
    for (const [key, window] of this.windows) {
      if (window.endsAt > at) continue
      if (window.trailing) {
        due.push(window.trailing)
        // Still churning: the next window is at least the churn floor.
        this.windows.set(key, { endsAt: at + Math.max(this.windowMs, CHURN_FLOOR_MS), trailing: null })
      } else {
        this.windows.delete(key)
      }
    }
    this.schedule()
    if (due.length > 0) this.onTrailing(due)
  }
}
