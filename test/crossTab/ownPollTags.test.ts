import { describe, expect, it } from 'vitest'
import { ownPollTags } from '../../src/core/ownPollTags'
import type { SagaRegistry } from '../../src/sagas/context'
import { createRealtimeSelectors } from '../../src/slice/selectors'
import { initialRealtimeState, newChannelRecord, type ChannelState, type RealtimeState } from '../../src/slice/state'
import { validateSpec } from '../../src/subscription/validateSpec'

const selectors = createRealtimeSelectors('realtime')

function registryOf(...projects: string[]): SagaRegistry {
  const requests = new Map(
    projects.map((project) => [
      project,
      validateSpec({
        topic: `project:${project}`,
        broadcast: ['changed'],
        tags: [{ type: 'Todos', id: project }, 'Projects'],
      }),
    ]),
  )
  return { requests, callbacks: new Map(), liveChannels: new Map(), pendingEvents: [], batchOpen: false }
}

function stateWith(connection: RealtimeState['connection'], channels: Record<string, ChannelState>) {
  const state = initialRealtimeState(true)
  state.connection = connection
  for (const [topic, channelState] of Object.entries(channels))
    state.channels[topic] = { ...newChannelRecord(topic, false), state: channelState, subscriberCount: 1 }
  return { realtime: state }
}

describe("a tab's own poll tags (what it announces to the leader)", () => {
  it("are every active subscription's tags, de-duplicated, while realtime is down or disabled", () => {
    const registry = registryOf('p1', 'p2')
    const expected = [{ type: 'Todos', id: 'p1' }, { type: 'Projects' }, { type: 'Todos', id: 'p2' }]
    expect(ownPollTags(stateWith('reconnecting', {}), selectors, registry)).toEqual(expected)
    expect(ownPollTags(stateWith('disabled', {}), selectors, registry)).toEqual(expected)
  })

  it("are only the failed topics' tags while the socket is up and a channel is degraded", () => {
    const state = stateWith('connected', { 'project:p1': 'subscribed', 'project:p2': 'error' })
    expect(ownPollTags(state, selectors, registryOf('p1', 'p2'))).toEqual([
      { type: 'Todos', id: 'p2' },
      { type: 'Projects' },
    ])
  })

  it.each(['idle', 'subscribing', 'closed'] as const)(
    'include a topic whose channel is %s on a connected socket: only a subscribed channel is live',
    (channelState) => {
      const state = stateWith('connected', { 'project:p1': 'subscribed', 'project:p2': channelState })
      expect(ownPollTags(state, selectors, registryOf('p1', 'p2'))).toEqual([
        { type: 'Todos', id: 'p2' },
        { type: 'Projects' },
      ])
    },
  )

  it('include a subscription whose topic has no channel record yet', () => {
    const state = stateWith('connected', { 'project:p1': 'subscribed' })
    expect(ownPollTags(state, selectors, registryOf('p1', 'p2'))).toEqual([
      { type: 'Todos', id: 'p2' },
      { type: 'Projects' },
    ])
  })

  it('are null while realtime is healthy: the safety net is never shared', () => {
    expect(ownPollTags(stateWith('connected', { 'project:p1': 'subscribed' }), selectors, registryOf('p1'))).toBeNull()
  })
})
