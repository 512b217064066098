import type { ConnectionState } from '../policy/connectionTransition'
import type { TopicMode } from '../slice/historyReducers'
import type { RealtimeState } from '../slice/state'
import type { BuildRouterHandler } from './routerContext'
import { isTopicLive, topicHasSilentSource } from './topicLiveness'

/** A topic's mode by the one liveness rule ({@link isTopicLive}), as the debug panel's timeline draws it. */
function modeOf(state: RealtimeState, topic: string): TopicMode {
  const channel = state.channels[topic]
  if (isTopicLive(state.connection, channel, state.slowLink))
    return topicHasSilentSource(state, topic) ? 'silent' : 'live'
  return state.connection === 'connected' && channel?.state === 'subscribing' ? 'catching-up' : 'polling'
}

/**
 * Records the debug panel's timeline: whenever the connection changes, or the channels, the
 * silent sources or the slow-link flag do, the topics' modes are worked out again, and what
 * changed goes to the slice in one `timelineChanged` action (a bounded ring). Actions that leave
 * those alone cost four reference checks.
 * @internal
 */
export const buildTimelineRecorder: BuildRouterHandler = (listener, { deps, dispatch }) => {
  const { selectors, actions } = deps
  let connection: ConnectionState | null = null
  const modes = new Map<string, TopicMode>()
  listener.startListening({
    predicate: (_action, current, original) => {
      const now = selectors.selectRealtimeState(current)
      const before = selectors.selectRealtimeState(original)
      return (
        now.connection !== before.connection ||
        now.channels !== before.channels ||
        now.sources !== before.sources ||
        now.slowLink !== before.slowLink
      )
    },
    effect: (_action, api) => {
      const state = selectors.selectRealtimeState(api.getState())
      const changed: Record<string, TopicMode | null> = {}
      let any = false
      for (const topic of Object.keys(state.channels)) {
        const mode = modeOf(state, topic)
        if (modes.get(topic) === mode) continue
        modes.set(topic, mode)
        changed[topic] = mode
        any = true
      }
      for (const topic of [...modes.keys()]) {
        if (Object.hasOwn(state.channels, topic)) continue
        modes.delete(topic)
        changed[topic] = null
        any = true
      }
      const connectionChanged = state.connection !== connection
      connection = state.connection
      if (!any && !connectionChanged) return
      const at = deps.env.clock.now()
      dispatch(actions.timelineChanged({ at, ...(connectionChanged ? { connection } : {}), topics: changed }))
    },
  })
}
