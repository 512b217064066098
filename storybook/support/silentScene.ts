import { announce, oneTopicTwoTables } from '../../test/support/tablesApi'
import { connectedScene, type Scene } from './scenes'

/**
 * One topic carrying two tables: `a` keeps announcing its changes, `b` changed without an event
 * and the safety net found it, so `b` is silent (polled, and alerted).
 */
export async function silentTableScene() {
  const scene = await oneTopicTwoTables()
  for (let step = 0; step < 5; step++) {
    scene.db.a += 1
    announce(scene, 'a')
    await scene.clock.advance(2_000)
  }
  scene.db.b += 1
  await scene.clock.advance(60_000)
  return scene
}

/** Connected, the server gone for 20 s, then back: the timeline shows the outage and the recovery. */
export async function outageAndBackScene(): Promise<Scene> {
  const scene = await connectedScene()
  scene.transport.connectBehavior = 'refuse'
  scene.transport.dropSocket()
  await scene.clock.advance(20_000)
  scene.transport.connectBehavior = 'open'
  await scene.clock.advance(30_000)
  return scene
}
