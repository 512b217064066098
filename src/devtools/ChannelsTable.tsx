import { useSelector } from 'react-redux'
import type { Realtime } from '../core/createRealtime'
import type { ChannelRecord } from '../slice/state'
import { formatAge, formatDuration } from './format'
import { channelTone, styles } from './panelStyles'

function continuity(channel: ChannelRecord): string {
  if (channel.joins === 0) return channel.attempt > 0 ? `failed ×${channel.attempt}` : '—'
  if (channel.resumed) return channel.joins > 1 ? 'resumed' : 'first join'
  const repair = channel.catchUp === null ? '' : ` · ${channel.catchUp}`
  return `gap ${formatDuration(channel.gapMs)}${repair}`
}

/** One row per topic: state, subscribers, last message, and whether the last join followed a gap. */
export function ChannelsTable({ realtime, now }: { realtime: Realtime; now: number }) {
  const channels = useSelector(realtime.selectors.selectChannels)
  const rows = Object.values(channels).sort((a, b) => a.topic.localeCompare(b.topic))
  return (
    <table style={styles.table}>
      <caption style={styles.caption}>Channels ({rows.length})</caption>
      <thead>
        <tr>
          <th scope="col" style={styles.th}>
            Topic
          </th>
          <th scope="col" style={styles.th}>
            State
          </th>
          <th scope="col" style={styles.th}>
            Subs
          </th>
          <th scope="col" style={styles.th}>
            Last message
          </th>
          <th scope="col" style={styles.th}>
            Continuity
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={5} style={{ ...styles.td, ...styles.muted }}>
              No subscriptions
            </td>
          </tr>
        ) : (
          rows.map((channel) => (
            <tr key={channel.topic}>
              <th scope="row" style={{ ...styles.td, fontWeight: 400, textAlign: 'left' }}>
                {channel.topic}
                {channel.private ? ' 🔒' : ''}
              </th>
              <td style={{ ...styles.td, color: channelTone(channel.state) }}>
                {channel.state}
                {channel.lastError && channel.state === 'error' ? ` (${channel.lastError.type})` : ''}
              </td>
              <td style={styles.td}>{channel.subscriberCount}</td>
              <td style={styles.td}>{formatAge(channel.lastMessageAt, now)}</td>
              <td style={styles.td}>{continuity(channel)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  )
}
