import { describe, expect, it } from 'vitest'
import type { ChannelSignal, TransportChannel } from '../../src/events/port'
import { channelSignals } from '../../src/sagas/channelSignals'

describe('channelSignals', () => {
  it('joins on subscription and detaches the join when the event channel closes', () => {
    const calls: string[] = []
    let deliver: ((signal: ChannelSignal) => void) | null = null
    const channel: TransportChannel = {
      topic: 'room',
      join(listener, timeoutMs) {
        calls.push(`join ${timeoutMs}`)
        deliver = listener
        return () => calls.push('detach')
      },
      send: async () => 'ok',
    }
    const signals = channelSignals(channel, 10_000)
    const taken: ChannelSignal[] = []
    signals.take((signal) => taken.push(signal as ChannelSignal))
    deliver!({ type: 'status', status: 'SUBSCRIBED', error: null })
    expect(taken).toEqual([{ type: 'status', status: 'SUBSCRIBED', error: null }])
    signals.close()
    expect(calls).toEqual(['join 10000', 'detach'])
  })
})
