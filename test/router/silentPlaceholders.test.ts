import { afterEach, describe, expect, it } from 'vitest'
import { addPlaceholder } from '../../src/optimistic/addPlaceholder'
import { cachedListPerTest, generation, type ListHarness } from './listSupport'

const { listHarness, finish } = cachedListPerTest()
afterEach(finish)

/** Project p1's list cached (rows a and b), kept fresh by a live subscription of its table. */
async function liveList(): Promise<ListHarness> {
  const harness = listHarness()
  harness.backend.put(generation('a', 1), generation('b', 2))
  harness.realtime.subscribe({
    topic: 'project:p1',
    postgres: [{ event: '*', schema: 'public', table: 'generations' }],
    tags: [{ type: 'Generations', id: 'p1' }],
  })
  await harness.clock.advance(100)
  await harness.mount('p1')
  expect(harness.state().channels['project:p1']?.state).toBe('subscribed')
  return harness
}

describe('the silent detector and optimistic placeholders', () => {
  it('counts no miss while a pending placeholder makes the cached list differ from the unchanged server list', async () => {
    const harness = await liveList()
    harness.store.dispatch(
      addPlaceholder(
        harness.api,
        'generations',
        { projectId: 'p1' },
        { id: 'r1', project_id: 'p1', prompt: 'queued', updated_at: '', client_request_id: 'r1' },
        { id: 'r1', ttlMs: 10 * 60_000 },
      ),
    )
    const fetchesBefore = harness.fetches()
    await harness.clock.advance(5 * 60_000) // several safety-net refetches of the unchanged list
    expect(harness.fetches()).toBeGreaterThan(fetchesBefore + 1)
    expect(harness.ids()).toEqual(['r1', 'a', 'b'])
    expect(harness.realtime.selectors.selectMetrics(harness.store.getState()).eventsMissed).toBe(0)
    expect(harness.realtime.selectors.selectAlert(harness.store.getState())).toBe(false)
  })

  it('still counts a miss once the placeholder is gone and a refetch finds an unannounced change', async () => {
    const harness = await liveList()
    harness.backend.put(generation('c', 3))
    await harness.clock.advance(60_000)
    expect(harness.realtime.selectors.selectMetrics(harness.store.getState()).eventsMissed).toBe(1)
  })
})
