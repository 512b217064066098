import type { Clock } from '../../env/clock'
import type { EmulatorFaults, MalformedFrameKind } from './types'

/** What the server reads on every frame, upgrade and change to apply the faults in force. */
export interface FaultState {
  /** Nothing is answered or pushed, and client frames are ignored. */
  readonly blackholed: boolean
  /** Join processing: delayed by ms, dropped, or normal (null). */
  readonly joinReplies: number | 'drop' | null
  /** postgres_changes delivery: delayed by ms, dropped, or normal (null). */
  readonly postgresChanges: number | 'drop' | null
  /** Whether this upgrade attempt must be refused (counts it against `refuseConnections`). */
  refuseUpgrade(): boolean
  /** Server→client bytes per second on realtime sockets while `slowLink` is in force, else null. */
  slowLinkRate(): number | null
  /** Whether `authOutage` is in force: every `tokenSource()` rejects. */
  authUnavailable(): boolean
}

/** The server-side actions behind the faults that act at once. */
export interface FaultActions {
  dropAllSockets(): void
  channelError(topic?: string): void
  expireTokens(): void
  clearExpiredTokens(): void
  sendMalformedFrame(kind: MalformedFrameKind): void
  restartServer(): Promise<void>
}

const nonNegative = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(
      `faults.${name}: expected a non-negative number of milliseconds or 'drop' or null, got ${String(value)}`,
    )
  return value
}

function checkMode(name: string, mode: number | 'drop' | null): number | 'drop' | null {
  if (mode === null || mode === 'drop') return mode
  if (typeof mode === 'number') return nonNegative(name, mode)
  throw new TypeError(`faults.${name}: expected milliseconds, 'drop' or null, got ${String(mode)}`)
}

function checkSlowLink(options: unknown): { bytesPerSecond: number; ms: number } {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`faults.slowLink: options must be { bytesPerSecond, ms }, got ${String(options)}`)
  const { bytesPerSecond, ms } = options as { bytesPerSecond?: unknown; ms?: unknown }
  if (typeof bytesPerSecond !== 'number' || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) {
    throw new TypeError(
      `faults.slowLink: bytesPerSecond must be a positive finite number, got ${String(bytesPerSecond)}`,
    )
  }
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
    throw new TypeError(`faults.slowLink: ms must be a non-negative finite number of milliseconds, got ${String(ms)}`)
  return { bytesPerSecond, ms }
}

/**
 * The `count` of `refuseConnections`: a non-negative integer.
 * @internal
 */
function checkRefuseCount(count: number): number {
  if (!Number.isInteger(count) || count < 0)
    throw new TypeError(`faults.refuseConnections: count must be a non-negative integer, got ${String(count)}`)
  return count
}

/**
 * The `ms` of `authOutage({ ms })`: a non-negative finite number of milliseconds.
 * @internal
 */
function checkAuthOutage(options: unknown): number {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`faults.authOutage: options must be { ms }, got ${String(options)}`)
  const { ms } = options as { ms?: unknown }
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
    throw new TypeError(`faults.authOutage: ms must be a non-negative finite number of milliseconds, got ${String(ms)}`)
  return ms
}

/**
 * The fault switches of one emulator: the state the server consults, and the
 * `EmulatorFaults` commands tests call. Time (for `refuseConnections({ ms })`) comes from `clock`.
 */
export function createFaults(clock: Clock, actions: FaultActions): { state: FaultState; faults: EmulatorFaults } {
  let refuseCount = 0
  let refuseUntil = 0
  let blackholed = false
  let joinReplies: number | 'drop' | null = null
  let postgresChanges: number | 'drop' | null = null
  let slowLink: { bytesPerSecond: number; until: number } | null = null
  let authOutageUntil = 0

  const state: FaultState = {
    get blackholed() {
      return blackholed
    },
    get joinReplies() {
      return joinReplies
    },
    get postgresChanges() {
      return postgresChanges
    },
    refuseUpgrade() {
      if (refuseCount > 0) {
        refuseCount--
        return true
      }
      return clock.now() < refuseUntil
    },
    slowLinkRate() {
      if (slowLink !== null && clock.now() >= slowLink.until) slowLink = null
      return slowLink?.bytesPerSecond ?? null
    },
    authUnavailable: () => clock.now() < authOutageUntil,
  }

  const faults: EmulatorFaults = {
    dropAllSockets: () => actions.dropAllSockets(),
    refuseConnections({ count, ms } = {}) {
      if (count === undefined && ms === undefined) throw new TypeError('faults.refuseConnections: give count or ms')
      if (count !== undefined) refuseCount = checkRefuseCount(count)
      if (ms !== undefined) refuseUntil = clock.now() + nonNegative('refuseConnections', ms)
    },
    blackhole(on) {
      blackholed = on
    },
    joinReplies(mode) {
      joinReplies = checkMode('joinReplies', mode)
    },
    channelError: (topic) => actions.channelError(topic),
    expireTokens: () => actions.expireTokens(),
    postgresChanges(mode) {
      postgresChanges = checkMode('postgresChanges', mode)
    },
    slowLink(options) {
      const { bytesPerSecond, ms } = checkSlowLink(options)
      slowLink = { bytesPerSecond, until: clock.now() + ms }
    },
    authOutage(options) {
      authOutageUntil = clock.now() + checkAuthOutage(options)
    },
    sendMalformedFrame: (kind = 'text') => actions.sendMalformedFrame(kind),
    restartServer: () => actions.restartServer(),
    reset() {
      refuseCount = 0
      refuseUntil = 0
      blackholed = false
      joinReplies = null
      postgresChanges = null
      slowLink = null
      authOutageUntil = 0
      actions.clearExpiredTokens()
    },
  }
  return { state, faults }
}
