import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { Provider } from 'react-redux'
import { RealtimeDebugPanel, RealtimeProvider } from 'rtk-supabase-realtime/react'
import { App } from './App'
import { realtime, store } from './store'
import './styles.css'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider store={store}>
      <RealtimeProvider realtime={realtime}>
        <App />
        <aside className="debug-dock" aria-label="Debug panel">
          <RealtimeDebugPanel defaultExpanded={false} />
        </aside>
      </RealtimeProvider>
    </Provider>
  </StrictMode>,
)

// For the end-to-end tests and the curious: the store, read-only by convention.
Object.assign(window, { __demo: { store, realtime } })
