import type { CachedQueries } from '../rtkq/rtkqCache'

/**
 * The cache entries of one state, indexed per endpoint on first use: built at most once per
 * batch, and only for a batch that patches, so that a DELETE (which leaves every list of its
 * endpoint) and an `args(event)` lookup cost a map read instead of a scan of every query.
 * @internal
 */
export class CacheIndex {
  private byEndpoint: Map<string, { keys: string[]; byRequest: Map<string, string> }> | null = null

  constructor(readonly queries: CachedQueries) {}

  /** Every initialized entry of `endpoint` (a deleted row leaves all of them). */
  entriesOf(endpoint: string): readonly string[] {
    return this.index().get(endpoint)?.keys ?? []
  }

  /** The entry of `endpoint` whose latest request is `requestId` (how an api selector's result maps to its key). */
  keyOfRequest(endpoint: string, requestId: string): string | undefined {
    return this.index().get(endpoint)?.byRequest.get(requestId)
  }

  private index() {
    if (this.byEndpoint) return this.byEndpoint
    const index = new Map<string, { keys: string[]; byRequest: Map<string, string> }>()
    for (const key in this.queries) {
      const entry = this.queries[key]
      if (!entry?.endpointName || entry.status === 'uninitialized') continue
      let forEndpoint = index.get(entry.endpointName)
      if (!forEndpoint) index.set(entry.endpointName, (forEndpoint = { keys: [], byRequest: new Map() }))
      forEndpoint.keys.push(key)
      if (entry.requestId !== undefined) forEndpoint.byRequest.set(entry.requestId, key)
    }
    this.byEndpoint = index
    return index
  }
}
