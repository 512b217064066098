import { StrictMode, useEffect, useRef } from 'react'
import { createRoot } from 'react-dom/client'
import { Provider } from 'react-redux'
import { RealtimeDebugPanel, RealtimeProvider } from 'rtk-supabase-realtime/react'
import { App } from './App'
import { realtime, store } from './store'
import './styles.css'

/** The debug panel docked in a corner; the page keeps room below its content for it, collapsed or expanded. */
function DebugDock() {
  const dock = useRef<HTMLElement>(null)
  useEffect(() => {
    const element = dock.current
    if (!element) return
    const observer = new ResizeObserver(() =>
      document.documentElement.style.setProperty('--dock-height', `${element.offsetHeight}px`),
    )
    observer.observe(element)
    return () => observer.disconnect()
  }, [])
  return (
    <aside ref={dock} className="debug-dock" aria-label="Debug panel">
      <RealtimeDebugPanel defaultExpanded={false} />
    </aside>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider store={store}>
      <RealtimeProvider realtime={realtime}>
        <App />
        <DebugDock />
      </RealtimeProvider>
    </Provider>
  </StrictMode>,
)

// For the end-to-end tests and the curious: the store, read-only by convention.
Object.assign(window, { __demo: { store, realtime } })
