import { useEffect, useState } from 'react'
import type { Clock } from '../env/clock'

/**
 * The clock's time, refreshed every `everyMs` while mounted (for "in this state for 12 s"), and
 * at once whenever `resync` changes (so a state entered a moment ago never reads "for 0 ms").
 */
export function useNow(clock: Clock, everyMs = 1000, resync?: unknown): number {
  const [now, setNow] = useState(() => clock.now())
  useEffect(() => {
    setNow(clock.now())
    let handle = clock.setTimeout(function tick() {
      setNow(clock.now())
      handle = clock.setTimeout(tick, everyMs)
    }, everyMs)
    return () => clock.clearTimeout(handle)
  }, [clock, everyMs, resync])
  return now
}
