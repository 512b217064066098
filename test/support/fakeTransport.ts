import { RealtimeError } from '../../src/errors/realtimeError'
import type { RealtimeEvent } from '../../src/events/events'
import type {
  AuthChangeEvent,
  AuthSnapshot,
  BroadcastResult,
  ChannelConfig,
  JoinOptions,
  ChannelSignal,
  RealtimeTransport,
  SocketSignal,
  TransportChannel,
} from '../../src/events/port'

export type JoinReply = 'ok' | 'hang' | RealtimeError

export interface FakeChannel extends TransportChannel {
  config: ChannelConfig
  listener: ((signal: ChannelSignal) => void) | null
  removed: boolean
}

/**
 * A scripted transport for whole-saga tests: it records every call in order (`log`) and
 * answers as the test says. Replies arrive on a microtask, as network replies would.
 */
export class FakeTransport implements RealtimeTransport {
  readonly clientKey = {}
  readonly log: string[] = []
  connectAttempts = 0
  heartbeatsSent = 0
  /** What the next connection attempts do. */
  connectBehavior: 'open' | 'refuse' | 'hang' = 'open'
  /** Whether heartbeats get a reply. */
  answerHeartbeats = true
  /** When a heartbeat's reply arrives: on a microtask by default; a test delays it on its clock (a slow link). */
  replyToHeartbeat: (reply: () => void) => void = (reply) => queueMicrotask(reply)
  signedIn = false
  /** How each join is answered; by default, at once with SUBSCRIBED. */
  joinReply: (topic: string, joinNumber: number) => JoinReply = () => 'ok'
  authorizeError: Error | null = null
  /** The expiry authorize() reports for the token it hands over (null: not a JWT), given whether it refreshed. */
  tokenExpiresAt: (forceRefresh: boolean) => number | null = () => null
  /** How authorize() answers when it does not throw: at once, never (a hanging token source), or with garbage. */
  authorizeReply: 'ok' | 'hang' | 'garbage' = 'ok'
  /** The next this many `createChannel` calls throw (a surprise from the transport). */
  createChannelFailures = 0
  /** Joins started while the socket was closed (the sagas should never do this). */
  joinsWhileDisconnected = 0
  /** Every channel ever created, removed ones included, in creation order. */
  readonly createdChannels: FakeChannel[] = []

  /** The clock inbound frames are stamped with (the harness sets its own). */
  now: () => number = () => 0
  private inboundAt: number | null = null
  private connected = false
  private socketListeners = new Set<(signal: SocketSignal) => void>()
  private authListeners = new Set<(event: AuthChangeEvent) => void>()
  private channels: FakeChannel[] = []
  private joinsByTopic = new Map<string, number>()
  /** Every join's configuration and what it asked beyond it (a replay). */
  readonly joinedConfigs: Array<{ topic: string; config: ChannelConfig; options: JoinOptions }> = []

  private emitSocket(signal: SocketSignal): void {
    if (signal.type === 'heartbeat') this.inboundAt = this.now()
    for (const listener of [...this.socketListeners]) listener(signal)
  }

  async connect(): Promise<void> {
    this.connectAttempts += 1
    this.log.push('connect')
    const behavior = this.connectBehavior
    queueMicrotask(() => {
      if (behavior === 'open') {
        this.connected = true
        this.emitSocket({ type: 'open' })
      } else if (behavior === 'refuse') {
        this.emitSocket({ type: 'error', message: 'connection refused' })
        this.emitSocket({ type: 'close', code: 1006, reason: '' })
      }
    })
  }

  /** While set, `disconnect()` closes the socket at once but resolves only when this settles (a slow close). */
  disconnectGate: Promise<void> | null = null
  /** supabase-js sometimes gives up on a dying socket without erroring its channels: act like it. */
  silentChannelsOnDisconnect = false

  async disconnect(): Promise<void> {
    this.log.push('disconnect')
    const was = this.connected
    this.connected = false
    if (was && !this.silentChannelsOnDisconnect) this.failJoinedChannels('socket closed: 1000')
    if (this.disconnectGate) await this.disconnectGate
  }

  isConnected(): boolean {
    return this.connected
  }

  lastInboundAt(): number | null {
    return this.inboundAt
  }

  /** A frame of any kind arrived on the socket (replies and events record one themselves). */
  receiveFrame(): void {
    if (this.connected) this.inboundAt = this.now()
  }

  watchSocket(listener: (signal: SocketSignal) => void): () => void {
    this.socketListeners.add(listener)
    return () => this.socketListeners.delete(listener)
  }

  sendHeartbeat(): void {
    this.heartbeatsSent += 1
    if (this.answerHeartbeats) this.replyToHeartbeat(() => this.emitSocket({ type: 'heartbeat', status: 'ok' }))
  }

  async authorize({ forceRefresh }: { forceRefresh: boolean }): Promise<AuthSnapshot> {
    this.log.push(forceRefresh ? 'authorize:refresh' : 'authorize')
    if (this.authorizeError) throw this.authorizeError
    if (this.authorizeReply === 'hang') return new Promise<AuthSnapshot>(() => undefined)
    if (this.authorizeReply === 'garbage') return 42 as unknown as AuthSnapshot
    return { signedIn: this.signedIn, expiresAt: this.tokenExpiresAt(forceRefresh) }
  }

  watchAuth(listener: (event: AuthChangeEvent) => void): () => void {
    this.authListeners.add(listener)
    return () => this.authListeners.delete(listener)
  }

  createChannel(topic: string, config: ChannelConfig, options: JoinOptions = {}): TransportChannel {
    if (this.createChannelFailures > 0) {
      this.createChannelFailures -= 1
      this.log.push(`createChannel-threw:${topic}`)
      throw new Error('createChannel exploded')
    }
    const fake: FakeChannel = {
      topic,
      config,
      listener: null,
      removed: false,
      join: (deliver) => {
        let attached = true
        const listener = (signal: ChannelSignal) => {
          if (attached) deliver(signal)
        }
        fake.listener = listener
        const joinNumber = (this.joinsByTopic.get(topic) ?? 0) + 1
        this.joinsByTopic.set(topic, joinNumber)
        this.joinedConfigs.push({ topic, config, options })
        this.log.push(`join:${topic}`)
        if (!this.connected) this.joinsWhileDisconnected += 1
        const reply = this.connected
          ? this.joinReply(topic, joinNumber)
          : new RealtimeError('NETWORK_ERROR', 'socket closed: not connected')
        queueMicrotask(() => {
          if (fake.removed || reply === 'hang') return
          this.receiveFrame()
          if (reply === 'ok') listener({ type: 'status', status: 'SUBSCRIBED', error: null })
          else listener({ type: 'status', status: 'CHANNEL_ERROR', error: reply })
        })
        return () => {
          attached = false
        }
      },
      send: async (): Promise<BroadcastResult> => (fake.removed ? 'error' : 'ok'),
    }
    this.channels.push(fake)
    this.createdChannels.push(fake)
    return fake
  }

  async removeChannel(channel: TransportChannel): Promise<void> {
    const fake = channel as FakeChannel
    fake.removed = true
    this.log.push(`remove:${fake.topic}`)
    this.channels = this.channels.filter((candidate) => candidate !== fake)
  }

  channelTopics(): string[] {
    return this.channels.map((channel) => channel.topic)
  }

  // ---- what tests do to it ------------------------------------------------------------

  /** Joins made on a topic so far. */
  joins(topic: string): number {
    return this.joinsByTopic.get(topic) ?? 0
  }

  /**
   * The server or the network drops the socket. By default the socket's close is reported
   * first and the channels' errors a microtask later; `channelErrorsFirst` reports the
   * channels' errors synchronously before the close, as phoenix's `triggerChanError` does.
   */
  dropSocket(code = 1006, { channelErrorsFirst = false }: { channelErrorsFirst?: boolean } = {}): void {
    if (!this.connected) return
    this.connected = false
    if (channelErrorsFirst) {
      for (const channel of [...this.channels]) {
        if (!channel.removed)
          channel.listener?.({
            type: 'status',
            status: 'CHANNEL_ERROR',
            error: new RealtimeError('NETWORK_ERROR', `socket closed: ${code}`),
          })
      }
    } else {
      this.failJoinedChannels(`socket closed: ${code}`)
    }
    this.emitSocket({ type: 'close', code, reason: '' })
  }

  /** The socket stays open but nothing answers (half-open connection). */
  blackhole(): void {
    this.answerHeartbeats = false
    this.joinReply = () => 'hang'
  }

  /** A frame the client cannot decode arrives (the real adapter reports it instead of throwing). */
  malformedFrame(reason = 'a frame that could not be decoded'): void {
    if (this.connected) this.emitSocket({ type: 'malformed', reason })
  }

  emit(topic: string, signal: ChannelSignal): void {
    this.receiveFrame()
    for (const channel of this.channels) if (channel.topic === topic && !channel.removed) channel.listener?.(signal)
  }

  emitEvent(event: RealtimeEvent): void {
    this.emit(event.topic, { type: 'event', event })
  }

  authChange(event: AuthChangeEvent): void {
    for (const listener of [...this.authListeners]) listener(event)
  }

  listenerCount(): { socket: number; auth: number } {
    return { socket: this.socketListeners.size, auth: this.authListeners.size }
  }

  private failJoinedChannels(message: string): void {
    for (const channel of [...this.channels]) {
      if (channel.removed || !channel.listener) continue
      const listener = channel.listener
      queueMicrotask(() => {
        if (!channel.removed)
          listener({ type: 'status', status: 'CHANNEL_ERROR', error: new RealtimeError('NETWORK_ERROR', message) })
      })
    }
  }
}
