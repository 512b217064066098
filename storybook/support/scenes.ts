import { RealtimeError } from '../../src/errors/realtimeError'
import { insertEvent } from '../../test/support/harness'
import { createTabs } from '../../test/crossTab/support/tabsHarness'
import { createRouterHarness } from '../../test/support/routerHarness'

/**
 * A scene is the real library (slice, sagas, InvalidationRouter, a real RTK Query api) on a
 * scripted transport and a manual clock, driven into one state before the story renders.
 * Time moves only when the scene (or a play function) advances it, so every story is
 * deterministic.
 */
export type Scene = ReturnType<typeof createRouterHarness> & { accept?: () => void }

const TOPICS = ['project:1', 'project:2', 'tasks:1']

function subscribeAll(scene: Scene, topics = TOPICS): void {
  for (const topic of topics) scene.subscribe(topic, [{ type: 'UnifiedGenerations', id: topic }])
  // Mounted queries, so that event→refetch latency is measured.
  scene.mount('projectGenerations', '1')
  scene.mount('projectGenerations', '2')
}

async function emitSome(scene: Scene, count: number, everyMs: number): Promise<void> {
  for (let id = 1; id <= count; id++) {
    scene.emit(insertEvent(TOPICS[id % 2]!, 'generations', { id, project_id: (id % 2) + 1 }, scene.clock.now()))
    await scene.clock.advance(everyMs)
  }
}

/** Joined on three topics, some traffic routed. */
export async function connectedScene(): Promise<Scene> {
  const scene: Scene = createRouterHarness()
  subscribeAll(scene)
  await scene.clock.advance(200)
  await emitSome(scene, 12, 700)
  return scene
}

/** The socket never opens. */
export async function connectingScene(): Promise<Scene> {
  const scene: Scene = createRouterHarness()
  scene.transport.connectBehavior = 'hang'
  subscribeAll(scene)
  await scene.clock.advance(3_000)
  return scene
}

/** Connected, then the server goes away and refuses every connection for `outageMs`. */
async function outageScene(outageMs: number): Promise<Scene> {
  const scene = await connectedScene()
  scene.transport.connectBehavior = 'refuse'
  scene.transport.dropSocket()
  await scene.clock.advance(outageMs)
  return scene
}

/** Retrying with jittered backoff. */
export const reconnectingScene = () => outageScene(1_500)

/** Retries used up: every 5–15 s, forever. */
export const suspendedScene = () => outageScene(90_000)

/** Joins refused as unauthorized, even after a token refresh. `accept()` lets the next one through. */
export async function failedAuthScene(): Promise<Scene> {
  const scene: Scene = createRouterHarness()
  let accepted = false
  scene.transport.joinReply = () => (accepted ? 'ok' : new RealtimeError('AUTHENTICATION_FAILED', 'Unauthorized'))
  scene.accept = () => (accepted = true)
  subscribeAll(scene, ['project:1'])
  await scene.clock.advance(100)
  return scene
}

/** The kill switch is on: dead-mode polling keeps the caches fresh. */
export async function disabledScene(): Promise<Scene> {
  const scene = await connectedScene()
  scene.store.dispatch(scene.realtime.actions.disable())
  await scene.clock.advance(45_000)
  return scene
}

/** Fifty topics mounting and unmounting while a hot tag receives 200 events a second. */
export async function churnScene(): Promise<Scene> {
  const scene: Scene = createRouterHarness()
  subscribeAll(scene)
  await scene.clock.advance(200)
  for (let round = 0; round < 10; round++) {
    const handles = Array.from({ length: 50 }, (_, index) =>
      scene.subscribe(`gallery:${index}`, [{ type: 'UnifiedGenerations', id: `gallery:${index}` }]),
    )
    for (let step = 0; step < 10; step++) {
      for (let id = 0; id < 10; id++)
        scene.emit(insertEvent('project:1', 'generations', { id: step * 10 + id, project_id: 1 }, scene.clock.now()))
      await scene.clock.advance(50)
    }
    for (const handle of handles.slice(0, 45)) handle.unsubscribe()
  }
  await scene.clock.advance(2_000)
  return scene
}

/** Joins time out on one topic while the others work (a channel stuck joining). */
export async function stuckChannelScene(): Promise<Scene> {
  const scene: Scene = createRouterHarness()
  scene.transport.joinReply = (topic) => (topic === 'tasks:1' ? new RealtimeError('TIMEOUT', 'join timed out') : 'ok')
  subscribeAll(scene)
  await scene.clock.advance(20_000)
  return scene
}

/** Two tabs of one origin, realtime down in both: the panel of the follower, covered by the leader's polls. */
export async function followerTabScene() {
  const tabs = createTabs()
  const first = tabs.open('first')
  const second = tabs.open('second')
  for (const tab of [first, second]) {
    tab.realtime.subscribe({
      topic: 'todos:p1',
      postgres: [{ event: '*', schema: 'public', table: 'todos' }],
      tags: [{ type: 'Todos', id: 'p1' }],
    })
    tab.mount('todos', 'p1')
  }
  await tabs.clock.advance(30_000)
  const follower = first.crossTab().role === 'follower' ? first : second
  await follower.mutate('addTodo', { projectId: 'p1' })
  await tabs.clock.advance(1_000)
  const leader = follower === first ? second : first
  return { store: follower.store, realtime: follower.realtime, follower, leader, stop: () => tabs.stopAll() }
}
