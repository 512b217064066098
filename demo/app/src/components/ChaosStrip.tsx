import { useEffect, useState } from 'react'
import { useDispatch, useSelector } from 'react-redux'
import { useRealtime, useRealtimeStatus } from 'rtk-supabase-realtime/react'
import type { ChaosAction, ChaosState } from '../../../server/chaos'

async function chaos(action?: ChaosAction): Promise<ChaosState> {
  const response = await fetch(action ? `/__demo/chaos/${action}` : '/__demo/chaos', {
    method: action ? 'POST' : 'GET',
  })
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return (await response.json()) as ChaosState
}

/** How often the strip re-reads the faults in force (another tab, or a test, may change them). */
const FAULTS_REFRESH_MS = 3000

/**
 * Breaks realtime on purpose, so you can watch the gallery stay fresh by polling and recover.
 * The faults live on the server, which any tab (or a test) may change: the blackhole is two plain
 * actions, on and off, and the one in force (as the server last said) is shown pressed.
 */
export function ChaosStrip() {
  const dispatch = useDispatch()
  const realtime = useRealtime()
  const { connection, pollingInterval } = useRealtimeStatus()
  const role = useSelector(realtime.selectors.selectCrossTab).role
  const [failure, setFailure] = useState<string | null>(null)
  const [faults, setFaults] = useState<ChaosState | null>(null)
  const killed = connection === 'disabled'

  useEffect(() => {
    let live = true
    const read = () =>
      void chaos().then(
        (state) => live && setFaults(state),
        () => undefined,
      )
    read()
    const timer = setInterval(read, FAULTS_REFRESH_MS)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [])

  // A failed injection (the dev server gone, an unknown action) is said inline; the next success clears it.
  const run = (action: ChaosAction) => {
    chaos(action).then(
      (state) => {
        setFailure(null)
        setFaults(state)
      },
      (error: unknown) =>
        setFailure(`Could not inject "${action}": ${error instanceof Error ? error.message : String(error)}`),
    )
  }
  // A follower tab's own poll is slow on purpose: its leader's polls are relayed to it.
  const seconds = ((pollingInterval ?? 0) / 1000).toFixed(1)
  const polling =
    role === 'follower'
      ? ` · refreshed by the leader tab's polls (own polling every ${seconds} s)`
      : ` · polling every ${seconds} s`

  return (
    <nav className="chaos" aria-label="Chaos">
      <span className={`pill ${connection}`} data-testid="realtime-state">
        realtime: {connection}
        {connection !== 'connected' && pollingInterval ? polling : ''}
      </span>
      <button type="button" onClick={() => run('drop')}>
        Drop sockets
      </button>
      <button type="button" aria-pressed={faults?.blackhole === true} onClick={() => run('blackhole-on')}>
        Blackhole on
      </button>
      <button
        type="button"
        className="fault-off"
        aria-pressed={faults?.blackhole === false}
        onClick={() => run('blackhole-off')}
      >
        Blackhole off
      </button>
      <button type="button" onClick={() => run('expire-tokens')}>
        Expire tokens
      </button>
      <button
        type="button"
        aria-pressed={killed}
        onClick={() => dispatch(killed ? realtime.actions.enable() : realtime.actions.disable())}
      >
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
