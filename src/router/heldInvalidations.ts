import type { Clock, TimerHandle } from '../env/clock'
import type { RtkqApi } from '../rtkq/rtkqApi'
import { invalidationBehavior } from '../rtkq/rtkqCache'

/** How many held entries we remember at most (bounded memory). */
const MAX_HELD = 10_000

/**
 * Bounds how long RTK Query may hold the router's invalidations. Under the default
 * `invalidationBehavior: 'delayed'` RTK Query holds every tag invalidation while any request of
 * the api is pending, so one hung read (a dead TCP connection) would freeze every event, poll and
 * catch-up behind it. An invalidation still held `maxHoldMs` after it was dispatched has its
 * entries refetched one by one instead. An entry whose own request is in flight stays held for
 * another `maxHoldMs` (when its request settles and nothing else is pending, RTK Query refetches
 * it itself). When RTK Query releases the invalidation later, the entries refetched directly
 * refetch once more: the price of never waiting on the slowest unrelated request.
 * @internal
 */
export class HeldInvalidations {
  private readonly held = new Set<string>()
  private timer: TimerHandle | null = null

  constructor(
    private readonly clock: Clock,
    private readonly api: Pick<RtkqApi, 'reducerPath'>,
    private readonly maxHoldMs: number,
    /** Refetches the entries not in flight; returns the keys of those in flight (they stay held). */
    private readonly refetch: (queryCacheKeys: string[]) => string[],
  ) {}

  /** After the router dispatched an invalidation of `queryCacheKeys` while requests of the api were pending. */
  dispatched(rootState: unknown, queryCacheKeys: readonly string[]): void {
    if (invalidationBehavior(rootState, this.api) === 'immediately' || queryCacheKeys.length === 0) return
    for (const key of queryCacheKeys) if (this.held.size < MAX_HELD) this.held.add(key)
    this.timer ??= this.clock.setTimeout(() => this.fire(), this.maxHoldMs)
  }

  /** No request of the api is pending any more: RTK Query has released what it held. */
  released(): void {
    this.clear()
  }

  clear(): void {
    this.held.clear()
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
  }

  private fire(): void {
    this.timer = null
    const keys = [...this.held]
    this.held.clear()
    const inFlight = this.refetch(keys)
    if (inFlight.length === 0) return
    for (const key of inFlight) this.held.add(key)
    this.timer = this.clock.setTimeout(() => this.fire(), this.maxHoldMs)
  }
}
