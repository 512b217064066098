import type { Clock, TimerHandle } from '../env/clock'
import type { Logger } from '../env/logger'
import type { PendingRead } from './pendingReads'

/** A read younger than this is not considered stuck when the link changes (no retransmission backoff yet). */
export const STUCK_READ_MIN_AGE_MS = 1_000

export interface ReadRestartsDeps {
  clock: Clock
  logger: Logger
  /** `reads.timeoutMs`: a refetch the router started that hangs this long is aborted (0: never). */
  timeoutMs: number
  /** Aborts a read in flight (its initiate promise's `abort()`); false when it is not running any more. */
  abort(read: PendingRead): boolean
  /** Starts the entry again (a fresh request), now or when its request settles. */
  restart(read: PendingRead): void
  /** Counts what was done (metrics). */
  report(counts: { restarted?: number; timedOut?: number }): void
}

/**
 * Fresh reads after the link returns or dies, and a timeout for the router's own refetches.
 *
 * - `linkChanged()` (reconnect, back online, a dead connection detected): every query read in
 *   flight for at least {@link STUCK_READ_MIN_AGE_MS} may sit on a dead TCP connection until the
 *   kernel's retransmission backoff fires, and RTK Query, which dedupes a query already fetching,
 *   would let it block every new poll and catch-up of that query. It is aborted and started again.
 * - A refetch the router started (or that its invalidation started at once) still pending after
 *   `timeoutMs` is aborted and started again once; if the new request times out too it is only
 *   aborted (logged once), and the next poll or event refetches it.
 * @internal
 */
export class ReadRestarts {
  private readonly timers = new Map<string, TimerHandle>()
  /** requestIds aborted by us that restart when their rejection arrives. */
  private readonly restarting = new Set<string>()
  /** Entries whose last router refetch timed out (a second timeout does not restart). */
  private readonly timedOut = new Set<string>()

  constructor(private readonly deps: ReadRestartsDeps) {}

  started(read: PendingRead): void {
    if (!read.byRouter || this.deps.timeoutMs <= 0) return
    this.timers.set(
      read.requestId,
      this.deps.clock.setTimeout(() => this.timeout(read), this.deps.timeoutMs),
    )
  }

  settled(read: PendingRead, fulfilled: boolean): void {
    const timer = this.timers.get(read.requestId)
    if (timer !== undefined) this.deps.clock.clearTimeout(timer)
    this.timers.delete(read.requestId)
    if (fulfilled) this.timedOut.delete(read.queryCacheKey)
    if (!this.restarting.delete(read.requestId)) return
    this.deps.restart(read)
    this.deps.report({ restarted: 1 })
  }

  /** The link returned or died: reads in flight since before it are aborted and started again. */
  linkChanged(reads: Iterable<PendingRead>): void {
    const now = this.deps.clock.now()
    for (const read of [...reads]) {
      if (now - read.startedAt >= STUCK_READ_MIN_AGE_MS) this.abortAndRestart(read)
    }
  }

  clear(): void {
    for (const timer of this.timers.values()) this.deps.clock.clearTimeout(timer)
    this.timers.clear()
    this.restarting.clear()
    this.timedOut.clear()
  }

  private timeout(read: PendingRead): void {
    this.timers.delete(read.requestId)
    this.deps.report({ timedOut: 1 })
    if (this.timedOut.has(read.queryCacheKey)) {
      this.deps.logger.once(
        `read-timeout:${read.endpointName}`,
        'warn',
        'a refetch timed out twice in a row: aborted, left to the next poll or event',
        { endpoint: read.endpointName, timeoutMs: this.deps.timeoutMs },
      )
      this.deps.abort(read)
      return
    }
    this.timedOut.add(read.queryCacheKey)
    this.abortAndRestart(read)
  }

  private abortAndRestart(read: PendingRead): void {
    // Noted before abort(): the rejection may be dispatched before abort() returns.
    this.restarting.add(read.requestId)
    try {
      if (!this.deps.abort(read)) this.restarting.delete(read.requestId)
    } catch (error) {
      this.restarting.delete(read.requestId)
      this.deps.logger.once('read-abort-failed', 'warn', 'could not abort a read in flight', { error: String(error) })
    }
  }
}
