import type { BroadcastChannelFactory } from '../../../src/env/broadcast'
import type { Clock, TimerHandle } from '../../../src/env/clock'
import { createWebLocks, type LocksPort } from '../../../src/env/locks'
import type { FakeClock } from '../../support/fakeClock'

/**
 * One tab of an in-memory browser: its own view of the shared fake clock, channels and locks.
 * A frozen tab runs nothing: its timers, incoming messages and lock answers wait for `thaw()`
 * (then its clock has jumped, as a real frozen tab's has). A closed tab is gone for good: the
 * "browser" releases its locks and stops delivering to it.
 */
export interface MemoryTab {
  readonly name: string
  readonly clock: Clock
  readonly broadcastChannel: BroadcastChannelFactory
  readonly locks: LocksPort
  freeze(): void
  thaw(): void
  close(): void
  /** Messages this tab posted, in order (any channel). */
  readonly posted: unknown[]
}

interface Endpoint {
  tab: TabRuntime
  name: string
  listeners: Set<(data: unknown) => void>
  closed: boolean
}

interface LockRequest {
  tab: TabRuntime
  callback: () => Promise<void> | undefined
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  signal?: AbortSignal
}

class TabRuntime {
  frozen = false
  closed = false
  private queue: Array<() => void> = []

  constructor(readonly name: string) {}

  /** Runs `work` now, or at thaw while frozen; never once closed. */
  run(work: () => void): void {
    if (this.closed) return
    if (this.frozen) this.queue.push(work)
    else work()
  }

  thaw(): void {
    this.frozen = false
    for (const work of this.queue.splice(0)) this.run(work)
  }
}

const abortError = () => Object.assign(new Error('The lock request was aborted'), { name: 'AbortError' })

/** A browser with any number of tabs of one origin, on one fake clock. */
export class MemoryBrowser {
  private readonly endpoints = new Set<Endpoint>()
  private readonly holders = new Map<string, LockRequest>()
  private readonly waiting = new Map<string, LockRequest[]>()

  constructor(private readonly clock: FakeClock) {}

  /** Who holds the lock `name` (a tab name), if anyone. */
  lockHolder(name: string): string | null {
    return this.holders.get(name)?.tab.name ?? null
  }

  openTab(name: string): MemoryTab {
    const tab = new TabRuntime(name)
    const shared = this.clock
    const posted: unknown[] = []
    const clock: Clock = {
      now: () => shared.now(),
      setTimeout: (callback, ms): TimerHandle => shared.setTimeout(() => tab.run(callback), ms),
      clearTimeout: (handle) => shared.clearTimeout(handle),
    }
    const broadcastChannel: BroadcastChannelFactory = (channelName) => {
      const endpoint: Endpoint = { tab, name: channelName, listeners: new Set(), closed: false }
      this.endpoints.add(endpoint)
      return {
        post: (message) => {
          if (endpoint.closed) return false
          posted.push(message)
          this.deliver(endpoint, structuredClone(message))
          return true
        },
        subscribe: (listener) => {
          endpoint.listeners.add(listener)
          return () => endpoint.listeners.delete(listener)
        },
        close: () => {
          endpoint.closed = true
          this.endpoints.delete(endpoint)
        },
      }
    }
    const locks = createWebLocks({
      request: (lockName, options, callback) =>
        new Promise((resolve, reject) => {
          const request: LockRequest = {
            tab,
            callback,
            resolve,
            reject,
            ...(options.signal ? { signal: options.signal } : {}),
          }
          options.signal?.addEventListener('abort', () => this.withdraw(lockName, request))
          if (options.steal) {
            const holder = this.holders.get(lockName)
            this.holders.delete(lockName)
            if (holder) holder.tab.run(() => holder.reject(abortError()))
            this.grant(lockName, request)
          } else {
            this.waiting.set(lockName, [...(this.waiting.get(lockName) ?? []), request])
            this.next(lockName)
          }
        }),
    })
    return {
      name,
      clock,
      broadcastChannel,
      locks,
      posted,
      freeze: () => (tab.frozen = true),
      thaw: () => tab.thaw(),
      close: () => {
        tab.closed = true
        for (const endpoint of [...this.endpoints]) {
          if (endpoint.tab !== tab) continue
          endpoint.closed = true
          this.endpoints.delete(endpoint)
        }
        for (const [lockName, holder] of [...this.holders]) {
          if (holder.tab !== tab) continue
          this.holders.delete(lockName)
          this.next(lockName)
        }
        for (const [lockName, queue] of this.waiting)
          this.waiting.set(
            lockName,
            queue.filter((request) => request.tab !== tab),
          )
      },
    }
  }

  /** Every other open endpoint of the channel gets the message on the next clock turn, as a task. */
  private deliver(from: Endpoint, data: unknown): void {
    for (const endpoint of this.endpoints) {
      if (endpoint === from || endpoint.name !== from.name) continue
      this.clock.setTimeout(() => {
        if (endpoint.closed || !this.endpoints.has(endpoint)) return
        endpoint.tab.run(() => {
          for (const listener of [...endpoint.listeners]) listener(data)
        })
      }, 0)
    }
  }

  private withdraw(lockName: string, request: LockRequest): void {
    const queue = this.waiting.get(lockName) ?? []
    if (!queue.includes(request)) return
    this.waiting.set(
      lockName,
      queue.filter((other) => other !== request),
    )
    request.reject(abortError())
  }

  private next(lockName: string): void {
    if (this.holders.has(lockName)) return
    const queue = this.waiting.get(lockName) ?? []
    const request = queue.shift()
    if (!request) return
    this.grant(lockName, request)
  }

  /** Grants on a microtask (the real API answers asynchronously); frees the lock when the callback's promise settles. */
  private grant(lockName: string, request: LockRequest): void {
    this.holders.set(lockName, request)
    void Promise.resolve().then(() =>
      request.tab.run(() => {
        if (this.holders.get(lockName) !== request) return
        const held = Promise.resolve(request.callback())
        held.then(
          (value) => {
            if (this.holders.get(lockName) === request) {
              this.holders.delete(lockName)
              this.next(lockName)
            }
            request.resolve(value)
          },
          () => undefined,
        )
      }),
    )
  }
}
