import type { Pgoutput } from 'pg-logical-replication'
import { commitTimeToIso, type DataMessage } from './changes'

/** Gathers a pgoutput stream's row messages into committed transactions. */
export interface TransactionCollector {
  onMessage(lsn: string, message: Pgoutput.Message): void
  /** Forgets a transaction in progress: one cut by a lost stream is sent again in full. */
  reset(): void
}

/**
 * Collects the inserts, updates and deletes of `schema` (only `tables` when given) between a
 * `begin` and its `commit`, then hands a non-empty transaction to `deliver` with its commit time.
 *
 * @internal
 */
export function createTransactionCollector(
  schema: string,
  tables: readonly string[] | undefined,
  deliver: (messages: DataMessage[], commitTimestamp: string) => void,
): TransactionCollector {
  const watched = tables ? new Set(tables) : undefined
  let pending: { messages: DataMessage[] } | null = null
  return {
    onMessage(_lsn, message) {
      switch (message.tag) {
        case 'begin':
          pending = { messages: [] }
          return
        case 'insert':
        case 'update':
        case 'delete':
          if (message.relation.schema !== schema || (watched && !watched.has(message.relation.name))) return
          pending?.messages.push(message)
          return
        case 'commit': {
          const messages = pending?.messages ?? []
          pending = null
          if (messages.length > 0) deliver(messages, commitTimeToIso(message.commitTime as bigint))
          return
        }
        default:
          return // relation, type, origin, truncate, message: nothing to deliver
      }
    },
    reset() {
      pending = null
    },
  }
}
