import type { ListenerMiddlewareInstance, UnknownAction } from '@reduxjs/toolkit'
import type { Clock } from '../env/clock'
import type { Random } from '../env/random'
import type { Logger } from '../env/logger'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import { AlertWatch } from './alertWatch'
import { PollingScheduler, type PollingSchedulerOptions, type PollReason } from './pollingScheduler'
import { viewOf } from './pollingView'
import type { FullTag } from './tags'
import type { BuildRouterHandler, RouterHandler } from './routerContext'
import { expectPolledRefetches } from './silentDetector'
import { someTopicNotLive } from './topicLiveness'

export interface PollingListenerDeps {
  clock: Clock
  random: Random
  logger: Logger
  polling: PollingSchedulerOptions
  actions: RealtimeActions
  selectors: RealtimeSelectors
  getState(): unknown
  dispatch(action: UnknownAction): unknown
  /** Invalidates tags now (through the throttle). */
  invalidate(tags: FullTag[]): void
  /** Tags of every active subscription. */
  activeTags(): FullTag[]
  /** Tags of the subscriptions whose topic is not live (null: every topic is live). */
  ownPollTags(state: unknown): FullTag[] | null
  pollTags?(own: FullTag[], reason: PollReason): FullTag[]
  polled?(tags: FullTag[], reason: PollReason): void
}

/**
 * The polling fallback and the alert, wired to the slice: the scheduler replans whenever the
 * connection, the visibility or the liveness of some topic changes. The predicate runs on every
 * action: it compares the connection, the visibility and the `channels` object by reference,
 * and computes liveness only when the channels changed (once per `channels` object).
 *
 * A poll invalidates the tags of the topics that are not live. The safety net is for live topics:
 * while some topic is polled on the dead-mode cadence, a poll at least `healthyMs` after the last
 * full one covers every active subscription, so live topics keep their safety net.
 * @internal
 */
export function listenForPolling(
  listener: ListenerMiddlewareInstance,
  deps: PollingListenerDeps,
): RouterHandler & { start(): void; stop(): void } {
  const { clock, selectors, actions } = deps
  let running = false
  let lastFullPollAt = Number.NEGATIVE_INFINITY
  const readView = () => viewOf(selectors.selectRealtimeState(deps.getState()))
  const alert = new AlertWatch(clock, (raised) => deps.dispatch(actions.alertChanged(raised)))

  const tagsOf = (reason: PollReason): FullTag[] => {
    const now = clock.now()
    const healthyMs = deps.polling.healthyMs
    const full = reason !== 'degraded' || (healthyMs > 0 && now - lastFullPollAt >= healthyMs)
    if (full) lastFullPollAt = now
    if (reason === 'safety-net') return deps.activeTags()
    return full ? deps.activeTags() : (deps.ownPollTags(deps.getState()) ?? [])
  }

  const scheduler = new PollingScheduler(
    clock,
    deps.random,
    deps.polling,
    readView,
    (reason) => {
      deps.logger.debug(`poll (${reason})`)
      const own = tagsOf(reason)
      const tags = deps.pollTags ? deps.pollTags(own, reason) : own
      deps.invalidate(tags)
      alert.update(readView(), scheduler.current())
      deps.polled?.(tags, reason)
    },
    (intervalMs) => deps.dispatch(actions.pollCadenceChanged({ intervalMs })),
  )

  listener.startListening({
    predicate: (_action, current, original) => {
      const now = selectors.selectRealtimeState(current)
      const before = selectors.selectRealtimeState(original)
      if (now.connection !== before.connection || now.visible !== before.visible) return true
      const same = now.channels === before.channels && now.sources === before.sources
      if (same && now.slowLink === before.slowLink) return false
      return someTopicNotLive(now) !== someTopicNotLive(before)
    },
    effect: () => {
      if (!running) return
      scheduler.replan()
      alert.update(readView(), scheduler.current())
    },
  })

  return {
    start() {
      running = true
      lastFullPollAt = clock.now()
      scheduler.replan()
      alert.update(readView(), scheduler.current())
    },
    stop() {
      running = false
      scheduler.stop()
      alert.stop()
    },
  }
}

/** The polling fallback and the alert, as a handler of the router. @internal */
export const buildPollingHandler: BuildRouterHandler = (listener, ctx) => {
  const { deps, issuer, getState, dispatch } = ctx
  return listenForPolling(listener, {
    clock: deps.env.clock,
    random: deps.env.random,
    logger: deps.logger,
    polling: { ...deps.polling, tabRole: deps.tabRole },
    actions: deps.actions,
    selectors: deps.selectors,
    getState,
    dispatch,
    invalidate: (tags) => {
      expectPolledRefetches(ctx, tags)
      issuer.invalidate(tags)
    },
    activeTags: deps.activeTags,
    ownPollTags: deps.ownPollTags,
    pollTags: deps.pollTags,
    polled: deps.polled,
  })
}
