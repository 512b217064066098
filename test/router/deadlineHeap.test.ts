import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DeadlineHeap } from '../../src/router/deadlineHeap'

describe('DeadlineHeap', () => {
  it('gives deadlines back soonest first, whatever the order of pushes and pops', () => {
    const step = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 1_000 }) }), fc.constant({ pop: true as const }))
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const heap = new DeadlineHeap<{ at: number }>()
        const model: number[] = []
        for (const op of steps) {
          if ('push' in op) {
            heap.push({ at: op.push })
            model.push(op.push)
            model.sort((a, b) => a - b)
          } else {
            expect(heap.pop()?.at).toBe(model.shift())
          }
          expect(heap.peek()?.at).toBe(model[0])
          expect(heap.size).toBe(model.length)
        }
      }),
    )
  })

  it('is empty after clear', () => {
    const heap = new DeadlineHeap<{ at: number }>()
    heap.push({ at: 3 })
    heap.push({ at: 1 })
    heap.clear()
    expect(heap.pop()).toBeUndefined()
    expect(heap.size).toBe(0)
  })
})
