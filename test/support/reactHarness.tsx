import { StrictMode, type ReactNode } from 'react'
import { Provider } from 'react-redux'
import { RealtimeProvider } from '../../src/react/RealtimeProvider'
import type { Harness } from './harness'

/** The providers an app puts around its tree, for a harness's store and realtime instance. */
export function providersFor(harness: Pick<Harness, 'store' | 'realtime'>) {
  return function Providers({ children }: { children: ReactNode }) {
    return (
      <Provider store={harness.store}>
        <RealtimeProvider realtime={harness.realtime}>{children}</RealtimeProvider>
      </Provider>
    )
  }
}

/**
 * An app's tree under `<StrictMode>` at the root (React double-invokes effects only when
 * StrictMode is the root, as in a real app's `createRoot(el).render(<StrictMode>…)`).
 */
export function strictTree(harness: Pick<Harness, 'store' | 'realtime'>, children: ReactNode) {
  const Providers = providersFor(harness)
  return (
    <StrictMode>
      <Providers>{children}</Providers>
    </StrictMode>
  )
}

/** Lets the registry's debounce (50 ms) and the batch window (16 ms) pass, and the joins answer. */
export async function settle(harness: Pick<Harness, 'clock'>, ms = 100): Promise<void> {
  await harness.clock.advance(ms)
}
