import type { Clock, TimerHandle } from '../env/clock'

interface Timer {
  id: number
  at: number
  callback: () => void
}

/**
 * A macrotask turn: `setImmediate` in Node; in browsers (browser tests share this clock) a
 * MessageChannel message, which unlike a zero timeout is not clamped to 4 ms when nested.
 */
const nextTurn = (resolve: () => void): void => {
  if (typeof setImmediate === 'function') {
    setImmediate(resolve)
    return
  }
  const { port1, port2 } = new MessageChannel()
  port1.onmessage = () => {
    port1.close()
    resolve()
  }
  port2.postMessage(null)
}

/** Lets every pending promise continuation run (sagas resume through promises). */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => nextTurn(resolve))
}

/**
 * A manual clock for tests: time moves only when the test calls `advance`. Timers fire in due
 * order, and pending promises are flushed after each one, so sagas, throttles and polling see a
 * consistent world. Pass it as `env.clock` to `createRealtime` to test an app's realtime logic on
 * simulated time (backoff, polling cadence, throttle windows) without sleeping.
 *
 * @example
 * import { FakeClock } from 'rtk-supabase-realtime/testing'
 *
 * const clock = new FakeClock()
 * const realtime = createRealtime({ client: supabase, api, routes, env: { clock, random: () => 0.5 } })
 * realtime.start(store)
 * store.dispatch(realtime.actions.disable())
 * await clock.advance(6_000)          // the first dead-mode poll is due after 5 s ± 1 s
 */
export class FakeClock implements Clock {
  private current: number
  private nextId = 1
  private timers: Timer[] = []

  constructor(start = 1_700_000_000_000) {
    this.current = start
  }

  now = (): number => this.current

  setTimeout = (callback: () => void, ms: number): TimerHandle => {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), callback }
    this.timers.push(timer)
    return timer.id
  }

  clearTimeout = (handle: TimerHandle): void => {
    this.timers = this.timers.filter((timer) => timer.id !== handle)
  }

  /** Timers not yet fired or cleared. */
  pendingTimers(): number {
    return this.timers.length
  }

  /** Delays of the pending timers from now, soonest first. */
  pendingDelays(): number[] {
    return this.timers.map((timer) => timer.at - this.current).sort((a, b) => a - b)
  }

  /**
   * A host that slept (a laptop lid, a frozen tab): time moves `ms` at once, and every timer that
   * fell due meanwhile fires late, all at the new time, in due order.
   */
  async jump(ms: number): Promise<void> {
    this.current += ms
    await this.advance(0)
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms
    await flushMicrotasks()
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.timers = this.timers.filter((timer) => timer !== due)
      this.current = Math.max(this.current, due.at)
      due.callback()
      await flushMicrotasks()
    }
    this.current = target
    await flushMicrotasks()
  }
}
