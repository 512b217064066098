import { describe, expect, it } from 'vitest'
import { describeBands, timelineRows, TIMELINE_WINDOW_MS } from '../../src/devtools/timelineBands'
import { latencySeries, sparkPath } from '../../src/devtools/latencySeries'
import { formatDuration } from '../../src/devtools/format'
import type { HistoryState } from '../../src/slice/historyReducers'

const NOW = 1_000_000

function history(transitions: HistoryState['transitions'], latency: HistoryState['latency'] = []): HistoryState {
  return { transitions, latency }
}

describe('timelineRows', () => {
  it('holds each value until the next transition of its row, and the last one until now', () => {
    const rows = timelineRows(
      history([
        { at: NOW - 60_000, kind: 'connection', state: 'connected' },
        { at: NOW - 60_000, kind: 'topic', topic: 'p:1', mode: 'live' },
        { at: NOW - 20_000, kind: 'topic', topic: 'p:1', mode: 'silent' },
      ]),
      NOW,
    )
    expect(rows.connection).toEqual([{ from: NOW - 60_000, to: NOW, value: 'connected' }])
    expect(rows.topics).toEqual([
      {
        topic: 'p:1',
        bands: [
          { from: NOW - 60_000, to: NOW - 20_000, value: 'live' },
          { from: NOW - 20_000, to: NOW, value: 'silent' },
        ],
      },
    ])
  })

  it('cuts a value that began before the window at the window start', () => {
    const rows = timelineRows(
      history([{ at: NOW - 2 * TIMELINE_WINDOW_MS, kind: 'connection', state: 'reconnecting' }]),
      NOW,
    )
    expect(rows.connection).toEqual([{ from: NOW - TIMELINE_WINDOW_MS, to: NOW, value: 'reconnecting' }])
  })

  it('ends a topic that went away, and drops a topic with nothing inside the window', () => {
    const rows = timelineRows(
      history([
        { at: NOW - 2 * TIMELINE_WINDOW_MS, kind: 'topic', topic: 'old', mode: 'live' },
        { at: NOW - 2 * TIMELINE_WINDOW_MS + 1, kind: 'topic', topic: 'old', mode: null },
        { at: NOW - 30_000, kind: 'topic', topic: 'p:2', mode: 'polling' },
        { at: NOW - 10_000, kind: 'topic', topic: 'p:2', mode: null },
      ]),
      NOW,
    )
    expect(rows.topics).toEqual([{ topic: 'p:2', bands: [{ from: NOW - 30_000, to: NOW - 10_000, value: 'polling' }] }])
  })

  it('says in words what the bands show', () => {
    const text = describeBands(
      [
        { from: 0, to: 40_000, value: 'live' },
        { from: 40_000, to: 60_000, value: 'silent' },
      ],
      formatDuration,
    )
    expect(text).toBe('now silent; live 40.0 s, silent 20.0 s')
    expect(describeBands([], formatDuration)).toBe('no data')
  })
})

describe('latencySeries and sparkPath', () => {
  it('gives each bucket the nearest-rank P50 and P95 of its samples, and none to an empty bucket', () => {
    const samples = Array.from({ length: 20 }, (_, i) => ({ at: NOW - 1_000, ms: (i + 1) * 10 }))
    const points = latencySeries(history([], [{ at: NOW - 250_000, ms: 999 }, ...samples]), NOW, 300_000, 10)
    expect(points).toHaveLength(10)
    expect(points[1]).toMatchObject({ count: 1, p50: 999, p95: 999 })
    expect(points[9]).toMatchObject({ count: 20, p50: 100, p95: 190 })
    expect(points[5]).toMatchObject({ count: 0, p50: null, p95: null })
  })

  it('draws a path through the buckets with a value, breaking at gaps, a lone point as a short stroke', () => {
    const point = (value: number | null) => ({ from: 0, to: 1, count: value === null ? 0 : 1, p50: value, p95: value })
    const path = sparkPath([point(0), point(100), point(null), point(50)], (p) => p.p50, 40, 10, 100)
    expect(path).toBe('M5.0 10.0 L15.0 0.0 M35.0 5.0 h0.5')
  })
})
