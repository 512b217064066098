import type { CSSProperties } from 'react'
import type { ConnectionState } from '../policy/connectionTransition'
import type { ChannelState } from '../slice/state'

// Inline styles: the panel works in any app without a stylesheet or a CSS loader.
// Colours pass WCAG AA on the dark background, and every state is also written as text.
const ink = '#e5e7eb'
const muted = '#9ca3af'
const line = '#374151'

export const tone = { good: '#4ade80', busy: '#fbbf24', warn: '#fb923c', bad: '#f87171', off: '#9ca3af' } as const

export function connectionTone(state: ConnectionState): string {
  switch (state) {
    case 'connected':
      return tone.good
    case 'connecting':
    case 'reconnecting':
      return tone.busy
    case 'suspended':
      return tone.warn
    case 'failed':
      return tone.bad
    default:
      return tone.off
  }
}

export function channelTone(state: ChannelState): string {
  if (state === 'subscribed') return tone.good
  if (state === 'subscribing') return tone.busy
  if (state === 'error') return tone.bad
  return tone.off
}

export const styles = {
  panel: {
    font: '12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    color: ink,
    background: '#111827',
    border: `1px solid ${line}`,
    borderRadius: 6,
    padding: 10,
    maxWidth: 640,
    boxSizing: 'border-box',
  },
  header: { display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' },
  title: { font: 'inherit', fontWeight: 700, margin: 0, marginRight: 'auto' },
  status: { order: 1, flexBasis: '100%', minWidth: 0, overflowWrap: 'anywhere' },
  badge: { fontWeight: 700 },
  button: {
    font: 'inherit',
    color: ink,
    background: '#1f2937',
    border: `1px solid #4b5563`,
    borderRadius: 4,
    padding: '2px 8px',
    cursor: 'pointer',
  },
  section: { marginTop: 10 },
  heading: {
    font: 'inherit',
    fontWeight: 700,
    color: muted,
    margin: '0 0 4px',
    textTransform: 'uppercase',
    letterSpacing: 0.5,
  },
  table: { width: '100%', borderCollapse: 'collapse' },
  caption: {
    textAlign: 'left',
    color: muted,
    fontWeight: 700,
    textTransform: 'uppercase',
    letterSpacing: 0.5,
    paddingBottom: 4,
  },
  th: { textAlign: 'left', color: muted, fontWeight: 400, borderBottom: `1px solid ${line}`, padding: '2px 6px 2px 0' },
  td: { padding: '2px 6px 2px 0', verticalAlign: 'top', overflowWrap: 'anywhere' },
  metrics: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 12, rowGap: 1, margin: 0 },
  term: { color: muted },
  definition: { margin: 0 },
  alert: { marginTop: 8, padding: '4px 8px', border: `1px solid ${tone.warn}`, borderRadius: 4, color: tone.warn },
  errorList: { margin: 0, paddingLeft: 18 },
  muted: { color: muted },
} satisfies Record<string, CSSProperties>
