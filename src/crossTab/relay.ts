import type { UnknownAction } from '@reduxjs/toolkit'
import type { FullTag } from '../router/tags'
import type { RtkqApi } from '../rtkq/rtkqApi'

/**
 * The tags of a relay this tab's cache provides (a tag no cached query provides costs nothing
 * and is left out), and the action that invalidates them; null when none applies.
 */
export function relayedInvalidation(api: RtkqApi, state: unknown, tags: FullTag[]): UnknownAction | null {
  const used = tags.filter((tag) => api.util.selectInvalidatedBy(state as never, [tag]).length > 0)
  return used.length === 0 ? null : api.util.invalidateTags(used)
}
