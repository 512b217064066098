import type { Clock, TimerHandle } from '../env/clock'
import { DeadlineHeap } from './deadlineHeap'
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
  key: string
  /** When the window ends (its place in the deadline heap). */
  at: number
  trailing: ThrottledTag | null
  /** Opened by a synthetic invalidation, and no real event since: a real event still passes at once. */
  soft: boolean
}

/** The window never drops below this once a tag is under churn. */
export const CHURN_FLOOR_MS = 500

/**
 * Per-tag leading/trailing throttle. The first event for a tag passes at once; further events
 * in its window coalesce into one trailing invalidation when the window ends, which opens the
 * next window. Nothing is dropped: a coalesced event always leads to a later invalidation.
 * A synthetic invalidation (poll, kick, catch-up) opens a soft window: it coalesces further
 * synthetic ones (a recover and the catch-up of the rejoin it causes), but the first real event
 * after it still passes at once, so a catch-up never costs the next event its leading edge.
 */
export class TagThrottle {
  private readonly windows = new Map<string, Window>()
  /** Every open window by end time: the next expiry without a scan of all windows. */
  private readonly deadlines = new DeadlineHeap<Window>()
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
        this.open(entry.key, at + this.windowMs, Boolean(entry.synthetic))
        continue
      }
      if (window.soft && !entry.synthetic) {
        // A window a poll, kick or catch-up opened holds back only more of those: the first real
        // event after it keeps its leading edge, and the window holds events from then on.
        now.push(entry)
        window.soft = false
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
    this.deadlines.clear()
  }

  private open(key: string, at: number, soft = false): void {
    const window: Window = { key, at, trailing: null, soft }
    this.windows.set(key, window)
    this.deadlines.push(window)
  }

  private schedule(): void {
    const earliest = this.deadlines.peek()?.at ?? Number.POSITIVE_INFINITY
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
    for (let window = this.deadlines.peek(); window !== undefined && window.at <= at; window = this.deadlines.peek()) {
      this.deadlines.pop()
      if (window.trailing) {
        due.push(window.trailing)
        // Still churning: the next window is at least the churn floor.
        this.open(window.key, at + Math.max(this.windowMs, CHURN_FLOOR_MS), window.soft)
      } else {
        this.windows.delete(window.key)
      }
    }
    this.schedule()
    if (due.length > 0) this.onTrailing(due)
  }
}
