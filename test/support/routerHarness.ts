import type { UnknownAction } from '@reduxjs/toolkit'
import type { RealtimeOptions } from '../../src/core/options'
import type { SubscriptionSpec } from '../../src/subscription/spec'
import type { RealtimeEvent } from '../../src/events/events'
import { canonicalRoutes, createCanonicalApi, FakeBackend } from './canonicalRoutes'
import { createHarness } from './harness'

type Endpoint = 'projectGenerations' | 'shotGenerations' | 'shots' | 'taskStatusCounts' | 'tasksPage'

interface QueryAction {
  type: string
  meta?: { arg?: { endpointName?: string; originalArgs?: unknown }; requestId?: string }
}

/**
 * A realtime instance on the fake transport and clock, with the canonical routes and a real
 * RTK Query api (reducer and middleware in the store) whose queries hit a counting fake backend.
 */
export function createRouterHarness(
  options: Partial<RealtimeOptions> = {},
  {
    invalidationBehavior,
    ...harnessOptions
  }: Parameters<typeof createHarness>[1] & { invalidationBehavior?: 'delayed' | 'immediately' } = {},
) {
  const backend = new FakeBackend()
  const api = createCanonicalApi(backend, invalidationBehavior ? { invalidationBehavior } : {})
  const harness = createHarness({ api, routes: canonicalRoutes, ...options }, harnessOptions)
  const { store, actions, realtime, clock, transport } = harness
  const subscriptions: Array<{ unsubscribe(): void }> = []

  const queryActions = (endpoint: Endpoint, phase: 'pending' | 'fulfilled', arg?: unknown) =>
    actions.filter((action) => {
      const query = action as QueryAction
      if (query.type !== `${api.reducerPath}/executeQuery/${phase}`) return false
      if (query.meta?.arg?.endpointName !== endpoint) return false
      return arg === undefined || JSON.stringify(query.meta.arg.originalArgs) === JSON.stringify(arg)
    })

  return {
    ...harness,
    api,
    backend,
    /** Mounts a query and keeps it subscribed (as a mounted component would). */
    mount(endpoint: Endpoint, arg: unknown) {
      const initiate = api.endpoints[endpoint].initiate as unknown as (arg: unknown) => UnknownAction
      const subscription = store.dispatch(initiate(arg)) as unknown as { unsubscribe(): void }
      subscriptions.push(subscription)
      return subscription
    },
    /** Completed fetches of an endpoint (optionally for one argument): the initial one included. */
    fetches: (endpoint: Endpoint, arg?: unknown) => queryActions(endpoint, 'fulfilled', arg).length,
    /** Started fetches of an endpoint (optionally for one argument). */
    started: (endpoint: Endpoint, arg?: unknown) => queryActions(endpoint, 'pending', arg).length,
    /** Tag invalidations the router dispatched. */
    invalidations: () =>
      actions
        .filter((action) => api.util.invalidateTags.match(action))
        .map((action) => (action as { payload: unknown }).payload),
    /** Subscribes a topic that keeps `tags` fresh and listens to every change of `tables`. */
    subscribe(topic: string, tags: SubscriptionSpec['tags'], tables = ['generations', 'shot_generations', 'tasks']) {
      return realtime.subscribe({
        topic,
        postgres: tables.map((table) => ({ event: '*' as const, schema: 'public', table })),
        broadcast: ['GENERATIONS_UPDATED'],
        tags,
      })
    },
    /** Delivers an event on its topic's channel, stamped with the current fake time. */
    emit(event: Omit<RealtimeEvent, 'receivedAt'> & { receivedAt?: number }) {
      transport.emitEvent({ ...event, receivedAt: clock.now() } as RealtimeEvent)
    },
    metrics: () => realtime.selectors.selectMetrics(store.getState()),
    pollingInterval: () => realtime.selectors.selectPollingInterval(store.getState()),
    alert: () => realtime.selectors.selectAlert(store.getState()),
    unmountAll() {
      for (const subscription of subscriptions.splice(0)) subscription.unsubscribe()
    },
  }
}

export type RouterHarness = ReturnType<typeof createRouterHarness>
