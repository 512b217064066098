import type { UnknownAction } from '@reduxjs/toolkit'
import { thrownKind, type Logger } from '../env/logger'
import { fullTagsOf, type FullTag } from '../router/tags'
import { rtkqMatchers, type MutationResultAction } from '../rtkq/rtkqActions'
import type { RtkqApi } from '../rtkq/rtkqApi'
import type { TagDescription } from '../subscription/spec'

type Description =
  ((result: unknown, error: unknown, arg: unknown, meta: unknown) => unknown) | readonly unknown[] | undefined

/**
 * Computes the tags a mutation's result action invalidates, as RTK Query's own
 * invalidation middleware does: on `executeMutation/fulfilled`, and on `rejected` with a value
 * (a base query error), from the endpoint's `invalidatesTags`. Returns null for any other action.
 *
 * @example
 * const tagsOf = createMutationTags(api, logger)
 * tagsOf(action) // [{ type: 'Todo', id: 1 }] after a mutation with invalidatesTags: (r, e, id) => [{ type: 'Todo', id }]
 */
export function createMutationTags(api: RtkqApi, logger: Logger): (action: UnknownAction) => FullTag[] | null {
  const matchers = rtkqMatchers(api.reducerPath)
  const descriptions = new Map<string, Description>()

  const descriptionOf = (endpointName: string): Description => {
    if (descriptions.has(endpointName)) return descriptions.get(endpointName)
    let description: Description
    try {
      api.enhanceEndpoints?.({
        endpoints: {
          [endpointName]: (definition) => {
            description = (definition as { invalidatesTags?: Description } | undefined)?.invalidatesTags
          },
        },
      })
    } catch (error) {
      logger.once('cross-tab-definition', 'warn', 'could not read an endpoint definition for the cross-tab relay', {
        error: thrownKind(error),
      })
    }
    descriptions.set(endpointName, description)
    return description
  }

  return (action) => {
    const result = action as MutationResultAction
    const isFulfilled = matchers.isMutationFulfilled(result)
    if (!isFulfilled && !(matchers.isMutationRejected(result) && result.meta?.rejectedWithValue === true)) return null
    const endpointName = result.meta?.arg?.endpointName
    if (typeof endpointName !== 'string') return null
    const description = descriptionOf(endpointName)
    let described: unknown
    try {
      described =
        typeof description === 'function'
          ? description(
              isFulfilled ? result.payload : undefined,
              isFulfilled ? undefined : result.payload,
              result.meta?.arg?.originalArgs,
              result.meta?.baseQueryMeta,
            )
          : description
    } catch (error) {
      logger.once(
        `cross-tab-tags-threw:${endpointName}`,
        'warn',
        'invalidatesTags threw while computing the cross-tab relay',
        { endpoint: endpointName, error: thrownKind(error) },
      )
      return []
    }
    return Array.isArray(described) ? fullTagsOf(described as TagDescription[]) : []
  }
}
