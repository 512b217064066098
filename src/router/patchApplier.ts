import { original, type UnknownAction } from '@reduxjs/toolkit'
import type { Logger } from '../env/logger'
import type { RtkqApi } from '../rtkq/rtkqApi'
import { cachedQueries, updateEntry, type CachedEntry } from '../rtkq/rtkqCache'
import { CacheIndex } from './cacheIndex'
import { intentOf, type ListOutcome } from './patchRows'
import { PatchTally, type PatchOp, type PatchResult } from './patchTally'
import type { PatchJob } from './routeEvents'
import { RecentWrites } from './recentWrites'
import { WorkingList } from './workingList'

interface PatchStore {
  dispatch(action: UnknownAction): unknown
  getState(): unknown
}

/**
 * Patch mode: writes postgres_changes rows straight into cached lists with
 * `api.util.updateQueryData` (one write per list per batch, events in arrival order), so that
 * a change costs no refetch. Anything it cannot apply exactly falls back to invalidation.
 * A batch is classified (each event's intent and target lists), grouped per list, written, and
 * tallied; the cache is indexed once per batch, per endpoint, only when a lookup needs it.
 */
export class PatchApplier {
  readonly recent = new RecentWrites()

  constructor(
    private readonly api: RtkqApi,
    private readonly logger: Logger,
  ) {}

  /** Applies a batch's patch jobs; `errors` (the router report's) counts PATCH_ARGS_THREW and PATCH_NOT_A_LIST. */
  apply(jobs: readonly PatchJob[], store: PatchStore, errors: Record<string, number> = {}): PatchResult {
    const tally = new PatchTally(this.logger, errors)
    const state = store.getState()
    const cache = new CacheIndex(cachedQueries(state, this.api))
    const groups = this.classify(jobs, state, cache, tally)
    for (const [key, ops] of groups) this.write(store, cache.queries[key] as CachedEntry, ops, tally)
    return tally.result
  }

  clear(): void {
    this.recent.clear()
  }

  /** Each admitted job's writes, grouped per target list in arrival order. */
  private classify(
    jobs: readonly PatchJob[],
    state: unknown,
    cache: CacheIndex,
    tally: PatchTally,
  ): Map<string, PatchOp[]> {
    const groups = new Map<string, PatchOp[]>()
    for (const job of jobs) {
      const op = this.admit(job, tally)
      if (!op) continue
      const targets =
        op.intent.kind === 'delete' ? cache.entriesOf(job.patch.endpoint) : this.targetOf(job, cache, state, tally)
      for (const key of targets) {
        const entry = cache.queries[key]
        if (entry?.status === 'pending') tally.fallBack(job, 'IN_FLIGHT')
        if (entry?.data === undefined) continue
        if (!Array.isArray(entry.data)) {
          tally.fallBack(job, 'NOT_A_LIST')
          continue
        }
        const ops = groups.get(key)
        if (ops) ops.push(op)
        else groups.set(key, [op])
      }
    }
    return groups
  }

  /** The job's write, unless its payload cannot be applied or a newer write to its row came first. */
  private admit(job: PatchJob, tally: PatchTally): PatchOp | null {
    const intent = intentOf(job.event, job.patch)
    if (intent.kind === 'fallback') {
      tally.fallBack(job, intent.reason)
      return null
    }
    const { endpoint } = job.patch
    const at = job.event.commitTimestamp
    const verdict = this.recent.verdict(endpoint, intent.key, at, intent.kind === 'delete')
    if (verdict === 'older') {
      tally.stale(job, true)
      return null
    }
    if (verdict === 'unknown-after-delete') {
      tally.fallBack(job, 'ORDER_UNKNOWN')
      return null
    }
    this.recent.record(endpoint, intent.key, at, intent.kind === 'delete')
    return { job, intent }
  }

  /**
   * Writes one list's ops in one pass on a plain copy (a key index, no Immer proxy per row); the
   * result replaces the list. Two routes patching one endpoint get a working list each, in turn.
   */
  private write(store: PatchStore, entry: CachedEntry, ops: readonly PatchOp[], tally: PatchTally): void {
    const outcomes: Array<[PatchOp, ListOutcome]> = []
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
        outcomes.push([
          op,
          op.intent.kind === 'delete'
            ? working.delete(op.intent.key)
            : working.upsert(op.intent.key, op.intent.row, op.intent.insert),
        ])
      }
      changed ||= working?.changed ?? false
      return changed && working ? working.result() : undefined
    }
    store.dispatch(updateEntry(this.api, entry.endpointName as string, entry.originalArgs, recipe as never))
    for (const [op, outcome] of outcomes) tally.outcome(op, outcome)
  }

  /**
   * The cache entry `args(event)` names, found through the api's own selector (its
   * serializeQueryArgs); none when not cached, and then the job falls back.
   */
  private targetOf(job: PatchJob, cache: CacheIndex, state: unknown, tally: PatchTally): string[] {
    let args: unknown
    try {
      args = job.patch.args(job.event)
    } catch {
      tally.fallBack(job, 'ARGS_THREW')
      return []
    }
    if (args === undefined) {
      tally.fallBack(job, 'NO_ARGS')
      return []
    }
    const select = this.api.endpoints[job.patch.endpoint]?.select
    const selected = select ? select(args)(state as never) : undefined
    const key =
      selected && selected.status !== 'uninitialized' && selected.requestId !== undefined
        ? cache.keyOfRequest(job.patch.endpoint, selected.requestId)
        : undefined
    // Not cached under these args: invalidate rather than skip (cheap when nothing provides the tags).
    if (key === undefined) tally.fallBack(job, 'NOT_CACHED')
    return key === undefined ? [] : [key]
  }
}
