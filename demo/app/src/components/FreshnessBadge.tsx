import { useEffect, useState } from 'react'
import { useFreshness } from 'rtk-supabase-realtime/react'

/** Seconds since `at`, ticking once a second (null before the first confirmation). */
function useSecondsSince(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(timer)
  }, [])
  return at === null ? null : Math.max(0, Math.round((now - at) / 1_000))
}

/** "Live / Updating… / Offline, refreshed 12 s ago" for the gallery's query (useFreshness). */
export function FreshnessBadge({ projectId }: { projectId: number }) {
  const { mode, lastConfirmedAt, pendingWrites } = useFreshness('projectGenerations', projectId)
  const ago = useSecondsSince(lastConfirmedAt)
  const label =
    pendingWrites > 0 || mode === 'catching-up'
      ? 'Updating…'
      : mode === 'live'
        ? 'Live'
        : `Offline, refreshed ${ago ?? '–'} s ago`
  return (
    <p className={`freshness freshness-${mode}`} role="status" data-testid="gallery-freshness" data-mode={mode}>
      {label}
    </p>
  )
}
