import { useEffect, type ReactNode } from 'react'
import { Provider } from 'react-redux'
import { RealtimeProvider } from '../../src/react'
import type { Store } from '@reduxjs/toolkit'
import type { Realtime } from '../../src/core/createRealtime'

/** Provides a scene's store and realtime instance, and stops its sagas when the story goes away. */
export function SceneView({
  scene,
  children,
}: {
  scene: { store: Store; realtime: Realtime; stop(): void }
  children: ReactNode
}) {
  useEffect(() => () => scene.stop(), [scene])
  return (
    <Provider store={scene.store}>
      <RealtimeProvider realtime={scene.realtime}>{children}</RealtimeProvider>
    </Provider>
  )
}
