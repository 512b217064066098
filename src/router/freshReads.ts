import type { ListenerMiddlewareInstance, UnknownAction } from '@reduxjs/toolkit'
import type { Clock } from '../env/clock'
import { createSubscribers } from '../env/subscribers'
import type { Logger } from '../env/logger'
import { rtkqMatchers } from '../rtkq/rtkqActions'
import type { RtkqApi } from '../rtkq/rtkqApi'
import { abortRunningQuery, refetchEntry as refetchEntryAction } from '../rtkq/rtkqCache'
import type { ReadsOptions } from '../policy/readsPolicy'
import type { RealtimeSelectors } from '../slice/selectors'
import { EntryRefetches } from './entryRefetches'
import { HeldInvalidations } from './heldInvalidations'
import { PendingReads, type PendingRead } from './pendingReads'
import { ReadRestarts } from './readRestarts'

export interface FreshReadsDeps {
  api: RtkqApi
  clock: Clock
  logger: Logger
  selectors: RealtimeSelectors
  reads: ReadsOptions
  getState(): unknown
  dispatch(action: UnknownAction): unknown
  /** Counts what was done to reads (`readsRestarted`, `readsTimedOut`, `heldInvalidationRefetches`). */
  report(counts: { restarted?: number; timedOut?: number; heldRefetches?: number }): void
}

/** A connection change after which reads in flight may sit on a dead TCP connection. */
function linkChanged(
  before: { connection: string; online: boolean },
  now: { connection: string; online: boolean },
): boolean {
  if (now.online && !before.online) return true
  if (now.connection === before.connection) return false
  if (now.connection === 'connected') return true
  // A dead connection detected (not the kill switch, nor going idle on purpose).
  return before.connection === 'connected' && now.connection !== 'disabled' && now.connection !== 'idle'
}

/**
 * Keeps reads fresh whatever the slowest request does (DESIGN §3.5, §4): tracks the api's
 * requests in flight from its actions ({@link PendingReads}), refetches entries one by one
 * ({@link EntryRefetches}), bounds how long RTK Query holds the router's invalidations
 * ({@link HeldInvalidations}), and aborts and restarts reads stuck across a link change or past
 * `reads.timeoutMs` ({@link ReadRestarts}).
 * @internal
 */
export function listenForReads(listener: ListenerMiddlewareInstance, deps: FreshReadsDeps) {
  const { api, clock, logger } = deps
  const matchers = rtkqMatchers(api.reducerPath)
  const settledReads = createSubscribers<{ read: PendingRead; state: unknown }>()
  const pending = new PendingReads(api, () => clock.now())
  /** A refetch the router starts itself: its request is the router's (`reads.timeoutMs` applies). */
  const refetchEntry = (endpointName: string, originalArgs: unknown) => {
    const refetch = refetchEntryAction(api, endpointName, originalArgs)
    if (refetch) pending.asRouter(() => deps.dispatch(refetch))
  }
  const refetches = new EntryRefetches(api, refetchEntry)
  const held = new HeldInvalidations(clock, api, deps.reads.maxHoldMs, (keys) => {
    logger.debug(
      `an invalidation was held over ${deps.reads.maxHoldMs} ms by pending requests: refetching ${keys.length} entries directly`,
    )
    const { refetched, inFlight } = refetches.refetchIdle(deps.getState(), keys)
    if (refetched > 0) deps.report({ heldRefetches: refetched })
    return inFlight
  })
  const restarts = new ReadRestarts({
    clock,
    logger,
    timeoutMs: deps.reads.timeoutMs,
    abort: (read) => abortRunningQuery(api, deps.dispatch, read.endpointName, read.originalArgs, read.requestId),
    restart: (read: PendingRead) => refetches.refetchEntries(deps.getState(), [read.queryCacheKey]),
    report: deps.report,
  })

  listener.startListening({
    predicate: (_action, current, original) => {
      const now = deps.selectors.selectRealtimeState(current)
      const before = deps.selectors.selectRealtimeState(original)
      return (now.connection !== before.connection || now.online !== before.online) && linkChanged(before, now)
    },
    effect: () => restarts.linkChanged(pending.reads()),
  })

  return {
    pending,
    refetches,
    /** Runs the router's invalidation dispatch: refetches it starts at once are the router's. */
    asRouter: <T>(dispatch: () => T): T => pending.asRouter(dispatch),
    /** After the router dispatched an invalidation of these entries while requests of the api were pending. */
    invalidated(state: unknown, queryCacheKeys: readonly string[]): void {
      if (pending.any()) held.dispatched(state, queryCacheKeys)
    },
    /** Feeds an `executeQuery` / `executeMutation` action. */
    observe(action: UnknownAction, state: unknown): void {
      const change = pending.observe(action as UnknownAction & { meta?: never })
      if (change?.started) restarts.started(change.started)
      refetches.observe(action as UnknownAction & { meta?: never }, state)
      if (change?.settled) restarts.settled(change.settled, matchers.isQueryFulfilled(action))
      if (!pending.any()) held.released()
      if (change?.settled) settledReads.notify({ read: change.settled, state })
    },
    /** Calls `listener` after every query read that settled (with the state after it); returns the unsubscribe. */
    onSettled: settledReads.subscribe,
    clear(): void {
      held.clear()
      restarts.clear()
      refetches.clear()
      pending.clear()
    },
  }
}

/** @internal */
export type FreshReads = ReturnType<typeof listenForReads>
