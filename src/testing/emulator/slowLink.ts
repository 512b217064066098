import type { Duplex } from 'node:stream'
import type { Clock, TimerHandle } from '../../env/clock'

/** How often a paced socket releases the bytes its rate allows since the last release. */
export const SLOW_LINK_TICK_MS = 50

/** The current rate of the slow-link fault in bytes per second, or null when the link is fast. */
export type LinkRate = () => number | null

interface Queued {
  bytes: Buffer
  callback: ((error?: Error | null) => void) | undefined
}

type WriteCallback = (error?: Error | null) => void

type RawWrite = (chunk: Buffer, callback?: WriteCallback) => boolean

/** @internal The bytes of a `write(chunk, encoding)` call: a Buffer, a string in `encoding` (default utf8), or a Uint8Array. */
function chunkBytes(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
  return Buffer.from(chunk as Uint8Array)
}

/**
 * Writes the head of `queue` for as many whole bytes as `budget` allows, splitting the last
 * chunk when it does not fit; a chunk's callback goes with its last byte. Returns what is left
 * of the budget.
 *
 * @internal
 */
function writeWithinBudget(queue: Queued[], budget: number, write: RawWrite, socket: Duplex): number {
  while (queue.length > 0 && budget >= 1 && !socket.destroyed) {
    const head = queue[0]!
    const take = Math.min(head.bytes.length, Math.floor(budget))
    budget -= take
    if (take === head.bytes.length) {
      queue.shift()
      write(head.bytes, head.callback)
    } else {
      write(head.bytes.subarray(0, take))
      head.bytes = head.bytes.subarray(take)
    }
  }
  return budget
}

/**
 * Paces what the server writes on one upgraded socket (the HTTP 101 answer, then every WebSocket
 * frame, close frames included) while `rate()` is not null: the bytes wait in a queue in write
 * order and leave at `rate()` bytes per second on `clock`, so a frame written after a large one
 * (a heartbeat reply after a postgres_changes frame) really waits behind it. A write's callback
 * runs once its last byte has left; `end()` waits for the queue. When `rate()` turns null again
 * the rest of the queue leaves at once and writes pass straight through. `destroy()` discards
 * the queue, as a reset connection loses what it had not sent.
 */
export function paceSocket(socket: Duplex, rate: LinkRate, clock: Clock): void {
  const write = socket.write.bind(socket) as RawWrite
  const end = socket.end.bind(socket) as () => Duplex
  const queue: Queued[] = []
  let timer: TimerHandle | null = null
  let budget = 0
  let lastRelease = 0
  let endPending = false

  const stopTimer = (): void => {
    if (timer !== null) clock.clearTimeout(timer)
    timer = null
  }

  const finishEnd = (): void => {
    if (!endPending || queue.length > 0) return
    endPending = false
    end()
  }

  const flush = (): void => {
    stopTimer()
    for (const item of queue.splice(0)) {
      if (!socket.destroyed) write(item.bytes, item.callback)
    }
    budget = 0
    finishEnd()
  }

  const release = (): void => {
    timer = null
    const bytesPerSecond = rate()
    if (bytesPerSecond === null) return flush()
    const now = clock.now()
    budget += (bytesPerSecond * Math.max(0, now - lastRelease)) / 1000
    lastRelease = now
    budget = writeWithinBudget(queue, budget, write, socket)
    if (queue.length === 0) {
      budget = 0
      return finishEnd()
    }
    timer = clock.setTimeout(release, SLOW_LINK_TICK_MS)
  }

  const enqueue = (bytes: Buffer, callback: WriteCallback | undefined): void => {
    if (queue.length === 0) {
      lastRelease = clock.now()
      budget = 0
    }
    queue.push({ bytes, callback })
    if (timer === null) timer = clock.setTimeout(release, SLOW_LINK_TICK_MS)
  }

  socket.write = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const done = (typeof encoding === 'function' ? encoding : callback) as WriteCallback | undefined
    const bytes = chunkBytes(chunk, encoding)
    if (queue.length === 0 && rate() === null) return write(bytes, done)
    enqueue(Buffer.from(bytes), done)
    return true
  }) as Duplex['write']

  socket.end = ((...args: unknown[]): Duplex => {
    const [first, second, third] = args
    if (first !== undefined && typeof first !== 'function')
      socket.write(first as Buffer, second as BufferEncoding, third as WriteCallback)
    const callback = [first, second, third].find((arg) => typeof arg === 'function') as (() => void) | undefined
    if (callback) socket.once('finish', callback)
    if (queue.length === 0) return end()
    endPending = true
    return socket
  }) as Duplex['end']

  socket.once('close', () => {
    stopTimer()
    queue.length = 0
    endPending = false
  })
}
