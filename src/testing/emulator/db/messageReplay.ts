import type { Pool } from 'pg'
import type { DatabaseBroadcast } from '../realtime/hub'
import { toDatabaseBroadcast } from '../realtime/databaseBroadcast'

/** Most messages one join may replay (the server's hard limit). */
export const REPLAY_HARD_LIMIT = 25

/** Reads private broadcasts of a topic back from `realtime.messages` for `config.broadcast.replay`. */
export interface MessageReplay {
  /** The newest `limit` private broadcasts of `topic` since `sinceMs`, oldest first. */
  since(topic: string, sinceMs: number, limit: number): Promise<DatabaseBroadcast[]>
  /**
   * Stores a client broadcast (`persist`) as a private broadcast of `topic`, marked
   * `skip_broadcast` (it was delivered when sent); resolves with the message id.
   */
  persist(topic: string, event: string, payload: unknown): Promise<string>
}

/**
 * Replays as `Realtime.Messages.replay` does: private broadcast messages of the topic inserted
 * since `sinceMs` (and before a minute from now), the newest `limit` (1..25) selected, delivered
 * oldest first. Messages older than 72 hours are left out (the server drops their partitions).
 *
 * @example
 * await createMessageReplay(pool).since('room:1', clock.now() - 60_000, 10)
 */
export function createMessageReplay(pool: Pool): MessageReplay {
  return {
    async since(topic, sinceMs, limit) {
      const bounded = Math.max(Math.min(limit, REPLAY_HARD_LIMIT), 1)
      const result = await pool.query<Record<string, unknown>>(
        `select id::text as id, topic, event, extension, payload, encode(binary_payload, 'hex') as binary_hex, private
         from realtime.messages
         where topic = $1 and private and extension = 'broadcast'
           and inserted_at >= greatest(to_timestamp($2 / 1000.0) at time zone 'utc', (now() at time zone 'utc') - interval '72 hours')
           and inserted_at < (now() at time zone 'utc') + interval '1 minute'
         order by inserted_at desc
         limit $3`,
        [topic, sinceMs, bounded],
      )
      return result.rows
        .map((row) => {
          const { binary_hex: hex, ...rest } = row
          const record = { ...rest, binary_payload: typeof hex === 'string' ? `\\x${hex}` : null }
          return toDatabaseBroadcast({
            schema: 'realtime',
            table: 'messages',
            type: 'INSERT',
            record,
            oldRecord: null,
            columns: [],
            commitTimestamp: '',
          })
        })
        .filter((message): message is DatabaseBroadcast => message !== null)
        .reverse()
    },
    async persist(topic, event, payload) {
      const binary = payload instanceof ArrayBuffer
      const result = await pool.query<{ id: string }>(
        `insert into realtime.messages (topic, extension, event, payload, binary_payload, private, skip_broadcast)
         values ($1, 'broadcast', $2, $3, $4, true, true) returning id::text as id`,
        [topic, event, binary ? null : JSON.stringify(payload ?? null), binary ? Buffer.from(payload) : null],
      )
      return result.rows[0]!.id
    },
  }
}
