/**
 * Bounds on RTK Query reads, so that realtime events, polls and catch-ups never wait on the
 * slowest request of the api.
 *
 * @example
 * createRealtime({ client, api, routes, reads: { timeoutMs: 20_000 } })
 */
export interface ReadsOptions {
  /**
   * A refetch the router started (a catch-up, a poll, an event's invalidation that refetched at
   * once) still pending after this long is aborted and started again once; if that one times out
   * too it is aborted and left to the next poll or event. Set it above your slowest read. 0 = never.
   * Default 15000.
   */
  timeoutMs: number
  /**
   * An invalidation that RTK Query's `invalidationBehavior: 'delayed'` holds behind pending
   * requests longer than this has its entries refetched directly. Default 1000.
   */
  maxHoldMs: number
}

export const DEFAULT_READS: Readonly<ReadsOptions> = Object.freeze({ timeoutMs: 15_000, maxHoldMs: 1_000 })
