import { describe, expect, it } from 'vitest'
import { createSubscribers } from '../../src/env/subscribers'

describe('createSubscribers', () => {
  it('notifies every listener with the value, and no longer after it unsubscribed', () => {
    const subscribers = createSubscribers<number>()
    const seen: string[] = []
    const stopA = subscribers.subscribe((value) => seen.push(`a${value}`))
    subscribers.subscribe((value) => seen.push(`b${value}`))
    subscribers.notify(1)
    stopA()
    stopA()
    subscribers.notify(2)
    expect(seen).toEqual(['a1', 'b1', 'b2'])
  })

  it('applies a subscription made during a notification from the next one on', () => {
    const subscribers = createSubscribers<number>()
    const seen: string[] = []
    subscribers.subscribe(() => {
      seen.push('first')
      subscribers.subscribe(() => seen.push('late'))
    })
    subscribers.notify(1)
    expect(seen).toEqual(['first'])
    subscribers.notify(2)
    expect(seen).toEqual(['first', 'first', 'late'])
  })
})
