import { useState } from 'react'
import { useDispatch } from 'react-redux'
import { useRealtime, useRealtimeStatus } from 'rtk-supabase-realtime/react'

async function inject(action: string): Promise<void> {
  const response = await fetch(`/__demo/chaos/${action}`, { method: 'POST' })
  if (!response.ok) throw new Error(`chaos ${action}: HTTP ${response.status}`)
}

/** Breaks realtime on purpose, so you can watch the gallery stay fresh by polling and recover. */
export function ChaosStrip() {
  const dispatch = useDispatch()
  const realtime = useRealtime()
  const { connection, pollingInterval } = useRealtimeStatus()
  const [blackholed, setBlackholed] = useState(false)
  const killed = connection === 'disabled'

  return (
    <nav className="chaos" aria-label="Chaos">
      <span className={`pill ${connection}`} data-testid="realtime-state">
        realtime: {connection}
        {connection !== 'connected' && pollingInterval ? ` · polling every ${(pollingInterval / 1000).toFixed(1)} s` : ''}
      </span>
      <button type="button" onClick={() => inject('drop')}>
        Drop sockets
      </button>
      <button
        type="button"
        aria-pressed={blackholed}
        onClick={() => inject(blackholed ? 'blackhole-off' : 'blackhole-on').then(() => setBlackholed(!blackholed))}
      >
        Blackhole
      </button>
      <button type="button" onClick={() => inject('expire-tokens')}>
        Expire tokens
      </button>
      <button type="button" aria-pressed={killed} onClick={() => dispatch(killed ? realtime.actions.enable() : realtime.actions.disable())}>
        Kill switch
      </button>
      <button type="button" onClick={() => dispatch(realtime.actions.recover())}>
        Recover now
      </button>
      <button type="button" onClick={() => inject('reset').then(() => setBlackholed(false))}>
        Reset faults
      </button>
    </nav>
  )
}
