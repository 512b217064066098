import type { Channel } from 'redux-saga'
import type { RealtimeEnvironment } from '../env/environment'
import type { Logger } from '../env/logger'
import type { CoreTiming } from '../policy/timing'
import type { RealtimeActions } from '../slice/realtimeSlice'
import type { RealtimeSelectors } from '../slice/selectors'
import type { SerializableSpec } from '../subscription/spec'
import type { RealtimeEvent } from '../events/events'
import type { RealtimeTransport, TransportChannel } from '../events/port'
import type { Capacity } from './capacity'

export type { CoreTiming } from '../policy/timing'

/** Callbacks and live channel objects: never in the store, owned here. */
export interface SagaRegistry {
  /** Every subscription not yet released, by id: the registry saga takes them up when it (re)starts. */
  requests: Map<string, SerializableSpec>
  callbacks: Map<string, (event: RealtimeEvent) => void>
  liveChannels: Map<string, TransportChannel>
  /** Events waiting for the next batch flush. */
  pendingEvents: RealtimeEvent[]
  /** A batch window is open: events wait for its end instead of going out at once. */
  batchOpen: boolean
}

/** Everything the sagas of one realtime instance share. */
export interface CoreContext {
  transport: RealtimeTransport
  actions: RealtimeActions
  selectors: RealtimeSelectors
  timing: CoreTiming
  env: RealtimeEnvironment
  logger: Logger
  registry: SagaRegistry
  /** Wakes the batch saga when an event arrives while no batch is open. */
  batchSignal: Channel<true>
  /** The RTK Query api's reducerPath (its fulfilled reads prove the network is back); null without an api. */
  apiReducerPath: string | null
  /** The plan limits this client keeps to: channel slots, join pacing, the server's join hold. */
  capacity: Capacity
}
