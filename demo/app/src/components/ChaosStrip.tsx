import { useState } from 'react'
import { useDispatch } from 'react-redux'
import { useRealtime, useRealtimeStatus } from 'rtk-supabase-realtime/react'
import type { ChaosAction } from '../../../server/chaos'

async function inject(action: ChaosAction): Promise<void> {
  const response = await fetch(`/__demo/chaos/${action}`, { method: 'POST' })
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
}

/**
 * Breaks realtime on purpose, so you can watch the gallery stay fresh by polling and recover.
 * The faults live on the server, which any tab (or a test) may change: so the blackhole is two
 * plain actions, on and off, rather than a toggle whose pressed state this tab could only guess.
 */
export function ChaosStrip() {
  const dispatch = useDispatch()
  const realtime = useRealtime()
  const { connection, pollingInterval } = useRealtimeStatus()
  const [failure, setFailure] = useState<string | null>(null)
  const killed = connection === 'disabled'

  // A failed injection (the dev server gone, an unknown action) is said inline; the next success clears it.
  const run = (action: ChaosAction) => {
    inject(action).then(
      () => setFailure(null),
      (error: unknown) => setFailure(`Could not inject "${action}": ${error instanceof Error ? error.message : String(error)}`),
    )
  }

  return (
    <nav className="chaos" aria-label="Chaos">
      <span className={`pill ${connection}`} data-testid="realtime-state">
        realtime: {connection}
        {connection !== 'connected' && pollingInterval ? ` · polling every ${(pollingInterval / 1000).toFixed(1)} s` : ''}
      </span>
      <button type="button" onClick={() => run('drop')}>
        Drop sockets
      </button>
      <button type="button" onClick={() => run('blackhole-on')}>
        Blackhole on
      </button>
      <button type="button" onClick={() => run('blackhole-off')}>
        Blackhole off
      </button>
      <button type="button" onClick={() => run('expire-tokens')}>
        Expire tokens
      </button>
      <button type="button" aria-pressed={killed} onClick={() => dispatch(killed ? realtime.actions.enable() : realtime.actions.disable())}>
        Kill switch
      </button>
      <button type="button" onClick={() => dispatch(realtime.actions.recover())}>
        Recover now
      </button>
      <button type="button" onClick={() => run('reset')}>
        Reset faults
      </button>
      {failure && (
        <span role="alert" className="chaos-failure">
          {failure}
        </span>
      )}
    </nav>
  )
}
