import type { RtkqApi } from '../rtkq/rtkqApi'
import { apiSliceChanged } from '../rtkq/rtkqCache'
import type { RoutedTag } from './routeEvents'
import type { FullTag } from './tags'

/**
 * The queries that routed events confirm, looked up once per run of events over which the api's
 * cache did not change, not once per event. The state is immutable and the lookup reads only the
 * api's slice: the tags of a run cover, in the run's first state, exactly the entries they
 * covered in each event's own state. A run ends when the api's slice changes, when another
 * confirmation comes, or when the confirmations are taken: the keys come out in the order and
 * number a lookup per event gave.
 * @internal
 */
export function createRoutedConfirmations(
  api: Pick<RtkqApi, 'reducerPath'>,
  covered: (state: unknown, tags: FullTag[]) => string[],
) {
  /** The state the run's tags are looked up in (its first event's). */
  let runState: unknown = undefined
  const runTags = new Map<string, FullTag>()
  const confirmed = new Set<string>()

  const endRun = (): void => {
    if (runTags.size > 0) for (const key of covered(runState, [...runTags.values()])) confirmed.add(key)
    runTags.clear()
    runState = undefined
  }

  return {
    /** Events routed to `tags` in `state`. */
    add(state: unknown, tags: ReadonlyMap<string, RoutedTag>): void {
      if (tags.size === 0) return
      if (runTags.size > 0 && apiSliceChanged(runState, state, api)) endRun()
      if (runTags.size === 0) runState = state
      for (const [key, { tag }] of tags) runTags.set(key, tag)
    },
    /** Adds these queries, confirmed some other way (a fulfilled fetch), after the run's (the order they were confirmed in). */
    confirm(keys: readonly string[]): void {
      endRun()
      for (const key of keys) confirmed.add(key)
    },
    /** Every query confirmed since the last call. */
    take(): string[] {
      endRun()
      const keys = [...confirmed]
      confirmed.clear()
      return keys
    },
    clear(): void {
      runTags.clear()
      runState = undefined
      confirmed.clear()
    },
  }
}
