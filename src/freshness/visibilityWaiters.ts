import type { Middleware, UnknownAction } from '@reduxjs/toolkit'
import type { RealtimeEnvironment } from '../env/environment'
import type { Logger } from '../env/logger'
import type { FullTag, RtkqApi } from '../rtkq/rtkqApi'
import { coveredEntries } from '../rtkq/coveredEntries'
import { apiSliceChanged, cachedEntry } from '../rtkq/rtkqCache'
import { fullTagsOf } from '../router/tags'
import type { RealtimeActions } from '../slice/realtimeSlice'
import { rowInData, type RowTarget } from './rowInCache'
import {
  DEFAULT_WHEN_VISIBLE_TIMEOUT_MS,
  validateWhenVisible,
  type WhenVisible,
  type WhenVisibleOptions,
  type WhenVisibleResult,
} from './whenVisibleOptions'

/** What the waiters need of the instance. @internal */
export interface WaitersDeps {
  api: RtkqApi
  env: RealtimeEnvironment
  logger: Logger
  actions: RealtimeActions
  /** The tags of the subscriptions listening to `table` (all active tags if none does). */
  tableTags(table: string): FullTag[]
  /** A patch route's key and version fields for `table`, if there is one. */
  patchFields(table: string): { key: string; version: string | undefined } | undefined
}

interface Waiter {
  id: string
  target: RowTarget
  tags: FullTag[]
  /** The data each covered entry had when last looked at: only changed data is searched again. */
  seen: Map<string, unknown>
  settle(result: WhenVisibleResult | { error: unknown }): void
}

interface Store {
  dispatch(action: UnknownAction): unknown
  getState(): unknown
}

function targetOf(options: WhenVisibleOptions, deps: WaitersDeps): RowTarget {
  const patch = deps.patchFields(options.table)
  return {
    key: options.key,
    keyField: options.keyField ?? patch?.key ?? 'id',
    version: options.version,
    versionField: options.versionField ?? patch?.version ?? 'updated_at',
  }
}

/** Whether the row is in one of the entries the waiter's tags cover (only entries whose data changed are searched). */
function found({ api, logger }: WaitersDeps, state: unknown, waiter: Waiter): boolean {
  // A cache RTK Query cannot look up has no entry to search: the wait goes on (its timeout bounds it).
  const keys = coveredEntries(api, state, waiter.tags, () => {})
  for (const key of keys) {
    const data = cachedEntry(state, api, key)?.data
    if (waiter.seen.has(key) && waiter.seen.get(key) === data) continue
    waiter.seen.set(key, data)
    const present = rowInData(data, waiter.target)
    if (present === true) return true
    if (present === 'uncomparable')
      logger.once(
        `when-visible-version:${waiter.target.versionField}`,
        'warn',
        'whenVisible(): a row with the key has a version that cannot be compared: check options.versionField',
        { versionField: waiter.target.versionField },
      )
  }
  return false
}

/**
 * `realtime.whenVisible`: each wait is checked after every action that changes the api's cache,
 * against the entries its tags cover whose data changed since it last looked (never the whole
 * cache); its timer runs on the injected clock. Pending waits count in `pendingWrites`.
 * @internal
 */
export function createVisibilityWaiters(deps: WaitersDeps) {
  const { api, env, actions } = deps
  const waiters = new Map<string, Waiter>()
  let store: Store | null = null
  let nextId = 0

  const middleware: Middleware = (storeApi) => {
    store = storeApi as Store
    return (next) => (action) => {
      if (waiters.size === 0) return next(action)
      const before = storeApi.getState()
      const result = next(action)
      const after = storeApi.getState()
      if (apiSliceChanged(before, after, api))
        for (const waiter of [...waiters.values()]) if (found(deps, after, waiter)) waiter.settle('visible')
      return result
    }
  }

  const whenVisible: WhenVisible = (options) => {
    validateWhenVisible(options)
    const bound = store
    if (!bound)
      throw new Error(
        '[RealtimeCore] whenVisible(): realtime.middleware is not in a store yet; add it in configureStore',
      )
    if (options.signal?.aborted) return Promise.reject(options.signal.reason)
    nextId += 1
    const id = `write#${nextId}`
    const tags = options.tags === undefined ? deps.tableTags(options.table) : fullTagsOf(options.tags)
    return new Promise<WhenVisibleResult>((resolve, reject) => {
      let timer: ReturnType<typeof env.clock.setTimeout> | null = null
      const onAbort = () => waiter.settle({ error: options.signal?.reason })
      const waiter: Waiter = {
        id,
        target: targetOf(options, deps),
        tags,
        seen: new Map(),
        settle(result) {
          if (!waiters.delete(id)) return
          if (timer !== null) env.clock.clearTimeout(timer)
          options.signal?.removeEventListener('abort', onAbort)
          bound.dispatch(actions.writeSettled({ id }))
          if (typeof result === 'object') reject(result.error)
          else resolve(result)
        },
      }
      if (found(deps, bound.getState(), waiter)) return resolve('visible')
      waiters.set(id, waiter)
      bound.dispatch(actions.writeAwaited({ id, table: options.table, tags, at: env.clock.now() }))
      options.signal?.addEventListener('abort', onAbort, { once: true })
      timer = env.clock.setTimeout(() => {
        if (tags.length > 0) bound.dispatch(api.util.invalidateTags(tags))
        waiter.settle('timed-out')
      }, options.timeoutMs ?? DEFAULT_WHEN_VISIBLE_TIMEOUT_MS)
    })
  }

  return {
    middleware,
    whenVisible,
    /** Ends every wait in progress with `'stopped'`: none is left hanging. */
    stop(): void {
      for (const waiter of [...waiters.values()]) waiter.settle('stopped')
    },
  }
}
