import type { RealtimeTransport } from '../../../src/index'

type SocketListener = Parameters<RealtimeTransport['watchSocket']>[0]

/**
 * A socket refused until `serverUp()`, then open: heartbeats answered, every join subscribed.
 * Replies come on a microtask, as network replies would.
 */
export function switchableTransport(): { transport: RealtimeTransport; serverUp: () => void } {
  let up = false
  let connected = false
  const listeners = new Set<SocketListener>()
  const emit: SocketListener = (signal) => {
    for (const listener of [...listeners]) listener(signal)
  }
  const transport: RealtimeTransport = {
    clientKey: {},
    connect: async () => {
      queueMicrotask(() => {
        if (up) {
          connected = true
          emit({ type: 'open' })
          return
        }
        emit({ type: 'error', message: 'connection refused' })
        emit({ type: 'close', code: 1006, reason: '' })
      })
    },
    disconnect: async () => {
      connected = false
    },
    isConnected: () => connected,
    watchSocket: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    sendHeartbeat: () => {
      if (connected) queueMicrotask(() => emit({ type: 'heartbeat', status: 'ok' }))
    },
    authorize: async () => ({ signedIn: false }),
    watchAuth: () => () => undefined,
    createChannel: (topic) => ({
      topic,
      join: (listener) => {
        queueMicrotask(() =>
          listener({ type: 'status', status: connected ? 'SUBSCRIBED' : 'CHANNEL_ERROR', error: null }),
        )
        return () => undefined
      },
      send: async () => 'error',
    }),
    removeChannel: async () => undefined,
    channelTopics: () => [],
  }
  return { transport, serverUp: () => (up = true) }
}
