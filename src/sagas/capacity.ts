import { multicastChannel, type MulticastChannel } from 'redux-saga'
import type { SerializedRealtimeError } from '../errors/realtimeError'
import type { CapacityLimits, JoinBucket } from '../policy/capacity'

/**
 * What keeps one client within its plan's limits: the connection's channel slots (topics that
 * hold one, topics waiting for one, in order), the bucket that paces its joins, and the hold the
 * server's `ClientJoinRateLimitReached` puts on every join. Owned by the sagas, never in the store.
 */
export interface Capacity {
  readonly limits: CapacityLimits
  readonly holders: Set<string>
  readonly waiting: string[]
  /** Hears the topic each freed slot went to. */
  readonly granted: MulticastChannel<{ topic: string }>
  bucket: JoinBucket
  /** Join times reserved from the bucket by topics cancelled before their turn: the next joins take them first. */
  readonly freedJoins: number[]
  /** No join before this (ms on the injected clock): the project is over its joins per second. */
  holdUntil: number
  /** The refusal that set the hold, shown on the topics it keeps waiting. */
  holdError: SerializedRealtimeError | null
  /** The topics already shown the current hold (once each; a new hold starts over). */
  readonly holdReported: Set<string>
}

/** A fresh capacity for `limits`: every slot free, a full bucket, no hold. */
export function createCapacity(limits: CapacityLimits): Capacity {
  return {
    limits,
    holders: new Set(),
    waiting: [],
    granted: multicastChannel(),
    bucket: { tokens: 0, updatedAt: null },
    freedJoins: [],
    holdUntil: 0,
    holdError: null,
    holdReported: new Set(),
  }
}

/** Takes a slot for `topic` if one is free and no topic waits ahead of it (a holder keeps its own). */
export function tryTakeSlot(capacity: Capacity, topic: string): boolean {
  if (capacity.holders.has(topic)) return true
  const ahead = capacity.waiting.length > 0 && capacity.waiting[0] !== topic
  if (ahead || capacity.holders.size >= capacity.limits.channelsPerConnection) return false
  capacity.holders.add(topic)
  const index = capacity.waiting.indexOf(topic)
  if (index >= 0) capacity.waiting.splice(index, 1)
  return true
}

/**
 * `topic` no longer wants a channel (its last subscriber left): its slot,
 * or its place in the queue, is given up, and the slot goes to the first topic waiting.
 */
export function releaseSlot(capacity: Capacity, topic: string): void {
  const index = capacity.waiting.indexOf(topic)
  if (index >= 0) capacity.waiting.splice(index, 1)
  if (!capacity.holders.delete(topic)) return
  const next = capacity.waiting.shift()
  if (next === undefined) return
  capacity.holders.add(next)
  capacity.granted.put({ topic: next })
}

/** The registry stopped: `topics` give up their slots and places in the queue, and no slot is granted. */
export function dropSlots(capacity: Capacity, topics: Iterable<string>): void {
  for (const topic of topics) {
    capacity.holders.delete(topic)
    const index = capacity.waiting.indexOf(topic)
    if (index >= 0) capacity.waiting.splice(index, 1)
  }
}
