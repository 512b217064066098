import { describe, expect, it } from 'vitest'
import { createRoutedConfirmations } from '../../src/router/routedConfirmations'
import type { RoutedTag } from '../../src/router/routeEvents'
import { tagKey, type FullTag } from '../../src/router/tags'

const api = { reducerPath: 'api' }

/** A root state whose api slice provides `provided` (tag key → cache keys). */
function rootWith(provided: Record<string, string[]>) {
  return { api: { provided }, realtime: {} }
}

function routed(...tags: FullTag[]): Map<string, RoutedTag> {
  return new Map(tags.map((tag) => [tagKey(tag), { key: tagKey(tag), tag, eventAt: 0 }]))
}

function setup() {
  const lookups: Array<{ state: unknown; tags: string[] }> = []
  const covered = (state: unknown, tags: FullTag[]) => {
    lookups.push({ state, tags: tags.map(tagKey) })
    const provided = (state as ReturnType<typeof rootWith>).api.provided
    return tags.flatMap((tag) => provided[tagKey(tag)] ?? [])
  }
  return { lookups, confirmations: createRoutedConfirmations(api, covered) }
}

const a: FullTag = { type: 'Row', id: 'a' }
const b: FullTag = { type: 'Row', id: 'b' }

describe('routed confirmations', () => {
  it('look up a run of events over the same cache once, in the state of its first event', () => {
    const { lookups, confirmations } = setup()
    const apiSlice = { provided: { [tagKey(a)]: ['qa'], [tagKey(b)]: ['qb'] } }
    const first = { api: apiSlice, realtime: { n: 1 } }
    confirmations.add(first, routed(a))
    confirmations.add({ api: apiSlice, realtime: { n: 2 } }, routed(b, a))
    expect(confirmations.take()).toEqual(['qa', 'qb'])
    expect(lookups).toEqual([{ state: first, tags: [tagKey(a), tagKey(b)] }])
  })

  it('look each run up in its own state when the cache changes between events', () => {
    const { lookups, confirmations } = setup()
    const before = rootWith({ [tagKey(a)]: ['qa'] })
    const after = rootWith({ [tagKey(a)]: ['qa2'] })
    confirmations.add(before, routed(a))
    confirmations.add(after, routed(a))
    expect(confirmations.take()).toEqual(['qa', 'qa2'])
    expect(lookups.map((lookup) => lookup.state)).toEqual([before, after])
  })

  it('keep the order queries were confirmed in when a fetch confirms one between events', () => {
    const { confirmations } = setup()
    const state = rootWith({ [tagKey(a)]: ['qa'], [tagKey(b)]: ['qb'] })
    confirmations.add(state, routed(a))
    confirmations.confirm(['fetched'])
    confirmations.add(state, routed(b))
    expect(confirmations.take()).toEqual(['qa', 'fetched', 'qb'])
    expect(confirmations.take()).toEqual([])
  })

  it('confirm nothing for events with no tags, and forget a run on clear', () => {
    const { lookups, confirmations } = setup()
    confirmations.add(rootWith({}), new Map())
    confirmations.add(rootWith({ [tagKey(a)]: ['qa'] }), routed(a))
    confirmations.clear()
    expect(confirmations.take()).toEqual([])
    expect(lookups).toEqual([])
  })
})
