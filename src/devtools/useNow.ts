import { useEffect, useState } from 'react'
import type { Clock } from '../env/clock'

/** The clock's time, refreshed every `everyMs` while mounted (for "in this state for 12 s"). */
export function useNow(clock: Clock, everyMs = 1000): number {
  const [now, setNow] = useState(() => clock.now())
  useEffect(() => {
    let handle = clock.setTimeout(function tick() {
      setNow(clock.now())
      handle = clock.setTimeout(tick, everyMs)
    }, everyMs)
    return () => clock.clearTimeout(handle)
  }, [clock, everyMs])
  return now
}
