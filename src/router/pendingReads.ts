import { rtkqMatchers, type RtkqMatchers } from '../rtkq/rtkqActions'
import type { RtkqApi } from '../rtkq/rtkqApi'

/** One request of the api in flight, as its `pending` action described it. */
export interface PendingRead {
  requestId: string
  queryCacheKey: string
  endpointName: string
  originalArgs: unknown
  /** On the injected clock, when its `pending` action went through the store. */
  startedAt: number
  /** Started by the router (a refetch it dispatched, or one its invalidation caused at once). */
  byRouter: boolean
}

interface ThunkAction {
  type: string
  meta?: { requestId?: string; arg?: { queryCacheKey?: string; endpointName?: string; originalArgs?: unknown } }
}

/**
 * The requests of one RTK Query api in flight, kept from its `executeQuery` / `executeMutation`
 * actions (O(1) per action, never a scan of the cache): the queries with what it takes to abort
 * and restart them, and how many requests (mutations included) are pending, which is what holds
 * RTK Query's `'delayed'` invalidations.
 * @internal
 */
export class PendingReads {
  private readonly queries = new Map<string, PendingRead>()
  private readonly mutations = new Set<string>()
  /** Set while the router dispatches: requests that start then are the router's. */
  private routerDispatching = 0

  private readonly matchers: RtkqMatchers

  constructor(
    api: Pick<RtkqApi, 'reducerPath'>,
    private readonly now: () => number,
  ) {
    this.matchers = rtkqMatchers(api.reducerPath)
  }

  /** Runs `dispatch` marking the requests it starts as the router's. */
  asRouter<T>(dispatch: () => T): T {
    this.routerDispatching += 1
    try {
      return dispatch()
    } finally {
      this.routerDispatching -= 1
    }
  }

  /**
   * Feeds one action. Returns what changed: the query read that started, or the one that
   * settled (null for other actions and for mutations).
   */
  observe(action: ThunkAction): { started?: PendingRead; settled?: PendingRead } | null {
    // RTK Query forgets its requests in flight on a reset: so do we (else every invalidation would look held).
    if (this.matchers.isApiReset(action)) {
      this.clear()
      return null
    }
    const requestId = action.meta?.requestId
    if (typeof requestId !== 'string') return null
    const phase = this.matchers.phaseOf(action)
    if (phase === null) return null
    const query = this.matchers.isQuery(action)
    if (phase === 'pending') {
      if (!query) {
        this.mutations.add(requestId)
        return null
      }
      const arg = action.meta?.arg
      if (typeof arg?.queryCacheKey !== 'string' || typeof arg.endpointName !== 'string') return null
      const read: PendingRead = {
        requestId,
        queryCacheKey: arg.queryCacheKey,
        endpointName: arg.endpointName,
        originalArgs: arg.originalArgs,
        startedAt: this.now(),
        byRouter: this.routerDispatching > 0,
      }
      this.queries.set(requestId, read)
      return { started: read }
    }
    if (!query) {
      this.mutations.delete(requestId)
      return null
    }
    const read = this.queries.get(requestId)
    if (!read) return null
    this.queries.delete(requestId)
    return { settled: read }
  }

  /** Some request of the api (query or mutation) is in flight: RTK Query holds `'delayed'` invalidations. */
  any(): boolean {
    return this.queries.size + this.mutations.size > 0
  }

  /** The query reads in flight. */
  reads(): IterableIterator<PendingRead> {
    return this.queries.values()
  }

  get(requestId: string): PendingRead | undefined {
    return this.queries.get(requestId)
  }

  clear(): void {
    this.queries.clear()
    this.mutations.clear()
  }
}
