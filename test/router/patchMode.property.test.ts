import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { PostgresChangesEvent } from '../../src/events/events'
import { finishHarness } from '../support/harness'
import { change, createListHarness, generation, type Generation } from './listSupport'

interface Write {
  key: string
  op: 'INSERT' | 'UPDATE' | 'DELETE'
}

/** Per key: an INSERT, some UPDATEs, maybe a DELETE; interleaved across keys, committed one second apart. */
const history = fc
  .array(fc.record({ updates: fc.integer({ min: 0, max: 3 }), deleted: fc.boolean() }), { minLength: 1, maxLength: 4 })
  .chain((keys) => {
    const writes: Write[][] = keys.map(({ updates, deleted }, index) => [
      { key: `k${index}`, op: 'INSERT' as const },
      ...Array.from({ length: updates }, () => ({ key: `k${index}`, op: 'UPDATE' as const })),
      ...(deleted ? [{ key: `k${index}`, op: 'DELETE' as const }] : []),
    ])
    // A commit order that keeps each key's own order (the database's), interleaving the keys.
    const slots = writes.flatMap((list, index) => list.map(() => index))
    return fc.shuffledSubarray(slots, { minLength: slots.length, maxLength: slots.length }).map((order) => {
      const next = writes.map(() => 0)
      return order.map((index) => {
        const position = next[index]!
        next[index] = position + 1
        return writes[index]![position]!
      })
    })
  })

function eventsOf(commits: Write[]): { events: PostgresChangesEvent[]; truth: Map<string, Generation> } {
  const truth = new Map<string, Generation>()
  const events = commits.map((write, second) => {
    const row = generation(write.key, second, { prompt: `${write.op} at ${second}` })
    if (write.op === 'DELETE') {
      truth.delete(write.key)
      return change('DELETE', { old: { id: write.key } }, second)
    }
    truth.set(write.key, row)
    return change(write.op, { new: { ...row }, old: write.op === 'UPDATE' ? { id: write.key } : undefined }, second)
  })
  return { events, truth }
}

describe('Patch mode converges on the database, whatever order and batching the events arrive in', () => {
  it('ends with exactly the committed rows after duplicated, reordered and batched delivery', async () => {
    await fc.assert(
      fc.asyncProperty(history, fc.integer({ min: 1, max: 0x7fffffff }), async (commits, seed) => {
        const h = createListHarness()
        try {
          await h.mount('p1')
          const { events, truth } = eventsOf(commits)
          h.backend.put(...truth.values())
          // Deliver out of order, some twice, in batches of 1-3.
          const shuffled = fc.sample(
            fc.shuffledSubarray([...events, ...events.filter((_, i) => i % 3 === 0)], { minLength: events.length }),
            { seed, numRuns: 1 },
          )[0]!
          for (let start = 0; start < shuffled.length; start += 1 + (start % 3)) {
            h.deliver(...shuffled.slice(start, start + 1 + (start % 3)))
            await h.clock.advance(5)
          }
          // Every event arrived at least once: the list must equal the database.
          const missing = events.filter((event) => !shuffled.includes(event))
          if (missing.length > 0) h.deliver(...missing)
          await h.clock.advance(2_000)
          const byId = (rows: readonly Generation[]) => [...rows].sort((a, b) => (a.id < b.id ? -1 : 1))
          expect(byId(h.list() ?? [])).toEqual(byId([...truth.values()]))
        } finally {
          finishHarness(h)
        }
      }),
      { numRuns: 60, seed: 20_260_101 },
    )
  })
})
