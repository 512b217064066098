import type { RealtimeState } from '../slice/state'
import type { PollingView } from './pollingScheduler'
import { someTopicNotLive } from './topicLiveness'

/** What the polling scheduler and the alert read of the slice. */
export function viewOf(state: RealtimeState): PollingView {
  return {
    connection: state.connection,
    visible: state.visible,
    degraded: someTopicNotLive(state),
    slow: state.connection === 'connected' && state.slowLink,
  }
}
