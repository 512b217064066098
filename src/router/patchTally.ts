import type { Logger, LogLevel } from '../env/logger'
import type { PatchCounts } from '../slice/patchMetrics'
import type { FallbackReason, ListOutcome, PatchIntent } from './patchRows'
import type { PatchJob } from './routeEvents'

/** What patching a batch did: the jobs to fall back on, and counts for the metrics. */
export interface PatchResult {
  fallbacks: PatchJob[]
  /** Rows written (one per list written). */
  patched: number
  /** Events ignored: older than the last write to their row or the cached row, or identical to the cached row. */
  stale: number
  /** `fallbacks` by the first reason each job met. */
  fallbackReasons: Partial<Record<FallbackReason, number>>
}

/** A batch's patch result as the router reports it to the slice. */
export function patchCounts(result: PatchResult): PatchCounts {
  return {
    rowsPatched: result.patched,
    patchesStale: result.stale,
    patchFallbacks: result.fallbacks.length,
    patchFallbacksByReason: { ...result.fallbackReasons },
  }
}

const REASONS: Record<FallbackReason, string> = {
  PAYLOAD_ERRORS: 'Realtime reported errors for the record (trimmed by size or permissions)',
  NO_ROW: 'the payload carries no row',
  NO_KEY: 'the row lacks the key field',
  NO_VERSION: 'the row lacks the version field',
  NO_ARGS: 'args(event) returned undefined',
  MISSING_COLUMNS: 'the row lacks columns the cached rows have (TOAST-ed or hidden)',
  VERSION_UNCOMPARABLE: 'the versions cannot be compared',
  ORDER_UNKNOWN: 'a write to a deleted row has no commit timestamp to order it by',
  IN_FLIGHT: 'the cached list is being fetched and the result may predate the event',
  NOT_IN_LIST: 'an UPDATE of a row the list lacks (another page, or a row that moved into the list)',
  NOT_CACHED: 'no list is cached under args(event) (a list cached under other args would stay stale)',
  NOT_A_LIST: 'the cached data is not an array',
  ARGS_THREW: 'args(event) threw',
}

const LEVELS: Partial<Record<FallbackReason, LogLevel>> = {
  ARGS_THREW: 'warn',
  NOT_A_LIST: 'warn',
  IN_FLIGHT: 'debug',
  NOT_CACHED: 'debug',
}

/** One event's write into one list. @internal */
export interface PatchOp {
  job: PatchJob
  intent: Exclude<PatchIntent, { kind: 'fallback' }>
}

/**
 * Counts and logs what a batch's patch jobs did: a job falls back once (under its first reason,
 * however many lists it met), stale and duplicate deliveries are counted, and each kind is logged
 * once per route. `errors` is the router report's error count (PATCH_ARGS_THREW, PATCH_NOT_A_LIST).
 * @internal
 */
export class PatchTally {
  readonly result: PatchResult = { fallbacks: [], patched: 0, stale: 0, fallbackReasons: {} }
  private readonly fallingBack = new Set<PatchJob>()

  constructor(
    private readonly logger: Logger,
    private readonly errors: Record<string, number>,
  ) {}

  fallBack(job: PatchJob, reason: FallbackReason): void {
    if (reason === 'ARGS_THREW' || reason === 'NOT_A_LIST')
      this.errors[`PATCH_${reason}`] = (this.errors[`PATCH_${reason}`] ?? 0) + 1
    this.logger.once(
      `patch-fallback:${job.routeName}:${reason}`,
      LEVELS[reason] ?? 'info',
      `route ${job.routeName} could not patch ${job.patch.endpoint} (${REASONS[reason]}); invalidating its fallbackTags`,
    )
    if (this.fallingBack.has(job)) return
    this.fallingBack.add(job)
    this.result.fallbacks.push(job)
    this.result.fallbackReasons[reason] = (this.result.fallbackReasons[reason] ?? 0) + 1
  }

  /** An event older than the last write to its row (`byRecentWrite`) or than the cached row. */
  stale(job: PatchJob, byRecentWrite: boolean): void {
    this.result.stale += 1
    const than = byRecentWrite ? 'the last write to its row' : 'the cached row'
    this.logger.once(
      `patch-stale:${job.routeName}`,
      'debug',
      `route ${job.routeName} ignored an event older than ${than}`,
    )
  }

  /** What writing `op` into one list did. */
  outcome(op: PatchOp, outcome: ListOutcome): void {
    if (outcome === 'patched') {
      this.result.patched += 1
      this.logger.once(
        `patched:${op.job.routeName}:${op.job.patch.endpoint}`,
        'info',
        `route ${op.job.routeName} patches ${op.job.patch.endpoint} from events (no refetch)`,
      )
    } else if (outcome === 'stale') {
      this.stale(op.job, false)
    } else if (outcome === 'unchanged') {
      // The cached row already equals the event's (a duplicate delivery); a DELETE of a row a list lacks is no event at all.
      if (op.intent.kind !== 'delete') this.result.stale += 1
    } else this.fallBack(op.job, outcome)
  }
}
