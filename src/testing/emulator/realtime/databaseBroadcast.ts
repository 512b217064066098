import type { RowChange } from '../types'
import type { DatabaseBroadcast } from './hub'

const HEX_BYTEA = /^\\x([0-9a-fA-F]*)$/

function bytes(value: unknown): ArrayBuffer | null {
  if (typeof value !== 'string') return null
  const hex = HEX_BYTEA.exec(value)?.[1]
  if (hex === undefined || hex.length % 2 !== 0) return null
  const out = new Uint8Array(hex.length / 2)
  for (let index = 0; index < out.length; index++) out[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16)
  return out.buffer
}

/**
 * Reads an insert into `realtime.messages` as the server's replication connection does: a
 * broadcast needs an id, event, topic and private flag, and a JSON `payload` or a
 * `binary_payload`; anything else (updates, deletes, other extensions, and rows a persisted client
 * broadcast wrote with `skip_broadcast`, already delivered when sent) is not a broadcast.
 *
 * @example
 * const message = toDatabaseBroadcast(change) // { id, topic, event, payload, isPrivate } or null
 */
export function toDatabaseBroadcast(change: RowChange): DatabaseBroadcast | null {
  if (change.schema !== 'realtime' || change.table !== 'messages' || change.type !== 'INSERT' || !change.record)
    return null
  const { id, topic, event, extension, payload, binary_payload: binaryPayload, private: isPrivate } = change.record
  if (
    typeof id !== 'string' ||
    typeof topic !== 'string' ||
    typeof event !== 'string' ||
    typeof isPrivate !== 'boolean'
  )
    return null
  if (extension !== 'broadcast' || change.record.skip_broadcast === true) return null
  const raw = binaryPayload === null || binaryPayload === undefined ? null : bytes(binaryPayload)
  if (raw) return { id, topic, event, payload: raw, isPrivate }
  if (payload === null || payload === undefined) return null
  return { id, topic, event, payload, isPrivate }
}
