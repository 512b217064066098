import type { RealtimeState } from '../slice/state'
import type { PollingView } from './pollingScheduler'

/** Topics whose channel failed (error, closed) although the connection is up: their events are not arriving. */
export function degradedTopics(state: RealtimeState): string[] {
  if (state.connection !== 'connected') return []
  const topics: string[] = []
  for (const channel of Object.values(state.channels)) {
    if (channel.subscriberCount > 0 && (channel.state === 'error' || channel.state === 'closed')) topics.push(channel.topic)
  }
  return topics
}

/** Whether any topic is degraded (`degradedTopics` non-empty), without building the list: checked on every action. */
export function isDegraded(state: RealtimeState): boolean {
  if (state.connection !== 'connected') return false
  for (const channel of Object.values(state.channels)) {
    if (channel.subscriberCount > 0 && (channel.state === 'error' || channel.state === 'closed')) return true
  }
  return false
}

/** What the polling scheduler and the alert read of the slice. */
export function viewOf(state: RealtimeState): PollingView {
  return { connection: state.connection, visible: state.visible, degraded: isDegraded(state) }
}
