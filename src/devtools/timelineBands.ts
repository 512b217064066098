import type { HistoryState, TopicMode } from '../slice/historyReducers'
import type { ConnectionState } from '../policy/connectionTransition'

/** The timeline's window: the last five minutes. */
export const TIMELINE_WINDOW_MS = 5 * 60_000

/** One stretch of one row: a value held from `from` to `to`. */
export interface Band<V extends string> {
  from: number
  to: number
  value: V
}

/** The rows of the timeline: the connection, then each topic, each a list of bands inside the window. */
export interface TimelineRows {
  from: number
  to: number
  connection: Array<Band<ConnectionState>>
  topics: Array<{ topic: string; bands: Array<Band<TopicMode>> }>
}

function close<V extends string>(bands: Array<Band<V>>, open: { value: V; since: number } | null, at: number): void {
  if (open && at > open.since) bands.push({ from: open.since, to: at, value: open.value })
}

/**
 * The bands of the last {@link TIMELINE_WINDOW_MS} before `now` from the history's transitions
 * (oldest first): a value holds from its transition to the next one of its row; a value that
 * started before the window is cut at its start; a topic whose last transition is `null` (gone)
 * has no band after it. Pure: the panel draws what this returns.
 */
export function timelineRows(history: HistoryState, now: number, windowMs = TIMELINE_WINDOW_MS): TimelineRows {
  const from = now - windowMs
  const connection: Array<Band<ConnectionState>> = []
  let openConnection: { value: ConnectionState; since: number } | null = null
  const topics = new Map<string, { bands: Array<Band<TopicMode>>; open: { value: TopicMode; since: number } | null }>()
  for (const transition of history.transitions) {
    const at = Math.max(from, Math.min(now, transition.at))
    if (transition.kind === 'connection') {
      close(connection, openConnection, at)
      openConnection = { value: transition.state, since: at }
      continue
    }
    const row = topics.get(transition.topic) ?? { bands: [], open: null }
    topics.set(transition.topic, row)
    close(row.bands, row.open, at)
    row.open = transition.mode === null ? null : { value: transition.mode, since: at }
  }
  close(connection, openConnection, now)
  const rows: TimelineRows['topics'] = []
  for (const [topic, row] of topics) {
    close(row.bands, row.open, now)
    if (row.bands.length > 0 || row.open) rows.push({ topic, bands: row.bands })
  }
  return { from, to: now, connection, topics: rows.filter((row) => row.bands.length > 0) }
}

/** A band's share of the window, as text: `live 4m 10s`. */
export function describeBands<V extends string>(bands: ReadonlyArray<Band<V>>, format: (ms: number) => string): string {
  if (bands.length === 0) return 'no data'
  const totals = new Map<V, number>()
  for (const band of bands) totals.set(band.value, (totals.get(band.value) ?? 0) + band.to - band.from)
  const last = bands[bands.length - 1]!
  const parts = [...totals].map(([value, ms]) => `${value} ${format(ms)}`)
  return `now ${last.value}; ${parts.join(', ')}`
}
