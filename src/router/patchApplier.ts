import { original, type UnknownAction } from '@reduxjs/toolkit'
import type { Logger, LogLevel } from '../env/logger'
import type { PatchCounts } from '../slice/patchMetrics'
import { intentOf, type FallbackReason, type ListOutcome, type PatchIntent } from './patchRows'
import { WorkingList } from './workingList'
import type { PatchJob } from './routeEvents'
import { RecentWrites } from './recentWrites'

/** The part of an RTK Query api that patching uses. */
export interface PatchApi {
  reducerPath: string
  util: {
    updateQueryData(endpointName: never, args: never, recipe: (draft: never) => void): unknown
  }
  endpoints: Record<string, { select?(arg: unknown): (state: never) => { status?: string; requestId?: string; data?: unknown } } | undefined>
}

interface CachedEntry {
  endpointName?: string
  originalArgs?: unknown
  status?: string
  requestId?: string
  data?: unknown
}

interface PatchStore {
  dispatch(action: UnknownAction): unknown
  getState(): unknown
}

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
  return { rowsPatched: result.patched, patchesStale: result.stale, patchFallbacks: result.fallbacks.length, patchFallbacksByReason: { ...result.fallbackReasons } }
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

const LEVELS: Partial<Record<FallbackReason, LogLevel>> = { ARGS_THREW: 'warn', NOT_A_LIST: 'warn', IN_FLIGHT: 'debug', NOT_CACHED: 'debug' }

interface Op {
  job: PatchJob
  intent: Exclude<PatchIntent, { kind: 'fallback' }>
}

/**
 * Patch mode: writes postgres_changes rows straight into cached lists with
 * `api.util.updateQueryData` (one write per list per batch, events in arrival order), so that
 * a change costs no refetch. Anything it cannot apply exactly falls back to invalidation.
 */
export class PatchApplier {
  readonly recent = new RecentWrites()

  constructor(
    private readonly api: PatchApi,
    private readonly logger: Logger,
  ) {}

  /** Applies a batch's patch jobs; `errors` (the router report's) counts PATCH_ARGS_THREW and PATCH_NOT_A_LIST. */
  apply(jobs: readonly PatchJob[], store: PatchStore, errors: Record<string, number> = {}): PatchResult {
    const result: PatchResult = { fallbacks: [], patched: 0, stale: 0, fallbackReasons: {} }
    const fallingBack = new Set<PatchJob>()
    const fallBack = (job: PatchJob, reason: FallbackReason) => {
      if (reason === 'ARGS_THREW' || reason === 'NOT_A_LIST') errors[`PATCH_${reason}`] = (errors[`PATCH_${reason}`] ?? 0) + 1
      this.logger.once(`patch-fallback:${job.routeName}:${reason}`, LEVELS[reason] ?? 'info', `route ${job.routeName} could not patch ${job.patch.endpoint} (${REASONS[reason]}); invalidating its fallbackTags`)
      if (fallingBack.has(job)) return
      fallingBack.add(job)
      result.fallbacks.push(job)
      result.fallbackReasons[reason] = (result.fallbackReasons[reason] ?? 0) + 1
    }
    const state = store.getState()
    const queries = this.queries(state)
    // requestId → cache key, built once per batch: args(event) resolve through the api's selector to an entry's requestId.
    const keyOf = new Map<string, string>()
    for (const [key, entry] of Object.entries(queries)) if (entry?.requestId !== undefined) keyOf.set(`${entry.endpointName}|${entry.requestId}`, key)
    const groups = new Map<string, Op[]>()
    for (const job of jobs) {
      const intent = intentOf(job.event, job.patch)
      if (intent.kind === 'fallback') {
        fallBack(job, intent.reason)
        continue
      }
      const { endpoint } = job.patch
      const at = job.event.commitTimestamp
      const verdict = this.recent.verdict(endpoint, intent.key, at, intent.kind === 'delete')
      if (verdict === 'older') {
        result.stale += 1
        this.logger.once(`patch-stale:${job.routeName}`, 'debug', `route ${job.routeName} ignored an event older than the last write to its row`)
        continue
      }
      if (verdict === 'unknown-after-delete') {
        fallBack(job, 'ORDER_UNKNOWN')
        continue
      }
      this.recent.record(endpoint, intent.key, at, intent.kind === 'delete')
      const targets = intent.kind === 'delete' ? this.entriesOf(queries, endpoint) : this.targetOf(job, keyOf, state, fallBack)
      for (const key of targets) {
        const entry = queries[key]
        if (entry?.status === 'pending') fallBack(job, 'IN_FLIGHT')
        if (entry?.data === undefined) continue
        if (!Array.isArray(entry.data)) {
          fallBack(job, 'NOT_A_LIST')
          continue
        }
        const ops = groups.get(key) ?? []
        ops.push({ job, intent })
        groups.set(key, ops)
      }
    }
    for (const [key, ops] of groups) {
      const { endpointName, originalArgs } = queries[key]!
      const outcomes: Array<[Op, ListOutcome]> = []
      // One pass per list per batch on a plain copy (a key index, no Immer proxy per row); the
      // result replaces the list. Two routes patching one endpoint get a working list each, in turn.
      const recipe = (draft: unknown[]) => {
        let working = null as WorkingList | null
        let changed = false
        for (const op of ops) {
          const { patch } = op.job
          if (working?.patch !== patch) {
            const base: readonly unknown[] = working ? working.result() : (original(draft) ?? draft)
            changed ||= working?.changed ?? false
            working = new WorkingList(base, patch)
          }
          outcomes.push([op, op.intent.kind === 'delete' ? working.delete(op.intent.key) : working.upsert(op.intent.key, op.intent.row, op.intent.insert)])
        }
        changed ||= working?.changed ?? false
        return changed && working ? working.result() : undefined
      }
      store.dispatch(this.api.util.updateQueryData(endpointName as never, originalArgs as never, recipe as never) as UnknownAction)
      for (const [op, outcome] of outcomes) {
        if (outcome === 'patched') {
          result.patched += 1
          this.logger.once(`patched:${op.job.routeName}:${op.job.patch.endpoint}`, 'info', `route ${op.job.routeName} patches ${op.job.patch.endpoint} from events (no refetch)`)
        } else if (outcome === 'stale') {
          result.stale += 1
          this.logger.once(`patch-stale:${op.job.routeName}`, 'debug', `route ${op.job.routeName} ignored an event older than the cached row`)
        } else if (outcome === 'unchanged') {
          // The cached row already equals the event's (a duplicate delivery); a DELETE of a row a list lacks is no event at all.
          if (op.intent.kind !== 'delete') result.stale += 1
        } else fallBack(op.job, outcome)
      }
    }
    return result
  }

  clear(): void {
    this.recent.clear()
  }

  private queries(state: unknown): Record<string, CachedEntry | undefined> {
    return ((state as Record<string, { queries?: Record<string, CachedEntry | undefined> } | undefined>)[this.api.reducerPath]?.queries ?? {}) as Record<string, CachedEntry | undefined>
  }

  /** Every cached entry of an endpoint (a deleted row leaves all of them). */
  private entriesOf(queries: Record<string, CachedEntry | undefined>, endpoint: string): string[] {
    return Object.keys(queries).filter((key) => queries[key]?.endpointName === endpoint && queries[key]?.status !== 'uninitialized')
  }

  /**
   * The cache entry `args(event)` names, found through the api's own selector (its
   * serializeQueryArgs); none when not cached, and then the job falls back.
   */
  private targetOf(job: PatchJob, keyOf: ReadonlyMap<string, string>, state: unknown, fallBack: (job: PatchJob, reason: FallbackReason) => void): string[] {
    let args: unknown
    try {
      args = job.patch.args(job.event)
    } catch {
      fallBack(job, 'ARGS_THREW')
      return []
    }
    if (args === undefined) {
      fallBack(job, 'NO_ARGS')
      return []
    }
    const select = this.api.endpoints[job.patch.endpoint]?.select
    const selected = select ? select(args)(state as never) : undefined
    const key = selected && selected.status !== 'uninitialized' && selected.requestId !== undefined ? keyOf.get(`${job.patch.endpoint}|${selected.requestId}`) : undefined
    // Not cached under these args: invalidate rather than skip (cheap when nothing provides the tags).
    if (key === undefined) fallBack(job, 'NOT_CACHED')
    return key === undefined ? [] : [key]
  }
}
