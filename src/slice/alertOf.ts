import type { RealtimeState } from './state'

/** Realtime has been down over 60 s while the page is visible and polling is slower than 10 s. */
export interface RealtimeDownAlert {
  type: 'REALTIME_DOWN'
}

/**
 * Realtime is connected, but a source of a topic (a table, or a broadcast event) delivered no
 * event for changes a poll or safety-net refetch found: its tags are polled until an event of it
 * arrives. Check that the table is in the `supabase_realtime` publication, that RLS lets the user
 * select its rows, and that the trigger behind a broadcast still exists.
 */
export interface RealtimeSilentAlert {
  type: 'REALTIME_SILENT'
  topic: string
  /** The suspected table (`schema.table`), or null when the suspect is a broadcast event. */
  table: string | null
  /** The suspected broadcast event, or null when the suspect is a table. */
  event: string | null
  /** Every suspected binding of the topic (`schema.table` or `broadcast:EVENT`). */
  bindings: string[]
  /** When the source was found silent. */
  since: number
}

/**
 * What `selectAlert` reports: false while nothing needs telling, else why. Truthy exactly when
 * the user should be told, so `if (selectAlert(state))` reads as it did when it was a boolean.
 */
export type RealtimeAlert = RealtimeDownAlert | RealtimeSilentAlert

const DOWN: RealtimeDownAlert = Object.freeze({ type: 'REALTIME_DOWN' }) as RealtimeDownAlert

function silentAlert(state: Pick<RealtimeState, 'connection' | 'sources' | 'channels'>): RealtimeSilentAlert | false {
  if (state.connection !== 'connected') return false
  let oldest: RealtimeState['sources'][string] | undefined
  for (const source of Object.values(state.sources)) {
    if (!source.silent || (state.channels[source.topic]?.subscriberCount ?? 0) === 0) continue
    if (!oldest || (source.silentSince ?? 0) < (oldest.silentSince ?? 0)) oldest = source
  }
  if (!oldest) return false
  const table = oldest.bindings.find((binding) => !binding.startsWith('broadcast:')) ?? null
  const event = table === null ? (oldest.bindings[0]?.slice('broadcast:'.length) ?? null) : null
  return {
    type: 'REALTIME_SILENT',
    topic: oldest.topic,
    table,
    event,
    bindings: [...oldest.bindings],
    since: oldest.silentSince ?? oldest.lastMissAt,
  }
}

/** The alert of one slice state (the down alert first: with realtime down no source can be trusted). @internal */
export function alertOf(
  state: Pick<RealtimeState, 'alert' | 'connection' | 'sources' | 'channels'>,
): RealtimeAlert | false {
  return state.alert ? DOWN : silentAlert(state)
}

/** Two alerts that say the same (so a selector keeps its last result and nothing re-renders). @internal */
export function sameAlert(a: RealtimeAlert | false, b: RealtimeAlert | false): boolean {
  if (a === b) return true
  if (a === false || b === false || a.type !== b.type) return false
  if (a.type === 'REALTIME_DOWN' || b.type === 'REALTIME_DOWN') return true
  return a.topic === b.topic && a.since === b.since && a.bindings.join('\n') === b.bindings.join('\n')
}
