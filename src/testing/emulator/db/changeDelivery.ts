import { thrownKind, type Logger } from '../../../env/logger'
import type { RowChange } from '../types'
import { toRowChange, typeOidsOf, type DataMessage, type TypeNames } from './changes'

/** The listeners of a change source and the chain that hands them each transaction in commit order. */
export interface ChangeDelivery {
  /** Adds a listener; returns its removal. */
  onChange(listener: (change: RowChange) => void): () => void
  /** Queues one committed transaction's row messages behind the ones before it. */
  deliver(messages: DataMessage[], commitTimestamp: string): void
  /** Settles once every transaction queued so far has been delivered (or failed). */
  settled(): Promise<void>
  /** Removes every listener. */
  clear(): void
}

/**
 * Shapes every row message of one transaction as a RowChange (looking up the type names it
 * needs first) and calls each listener; a listener that throws is logged and the others still
 * get the change.
 *
 * @internal
 */
async function deliverTransaction(
  listeners: ReadonlySet<(change: RowChange) => void>,
  types: TypeNames,
  transaction: { messages: DataMessage[]; commitTimestamp: string },
  logger: Logger | undefined,
): Promise<void> {
  try {
    await types.ensure(transaction.messages.flatMap(typeOidsOf))
  } catch (error) {
    logger?.warn('change source: type lookup failed; unknown types are reported as "unknown"', {
      error: thrownKind(error),
    })
  }
  for (const message of transaction.messages) {
    const change = toRowChange(message, types, transaction.commitTimestamp)
    for (const listener of [...listeners]) {
      try {
        listener(change)
      } catch (error) {
        logger?.error('change source: a listener threw; continuing', { error: thrownKind(error), table: change.table })
      }
    }
  }
}

/**
 * Creates the delivery of a change source over its type-name cache; the cache is warmed at once
 * (a failure there is left to the first transaction's look-up).
 *
 * @internal
 */
export function createChangeDelivery(types: TypeNames, logger: Logger | undefined): ChangeDelivery {
  const listeners = new Set<(change: RowChange) => void>()
  let delivery: Promise<void> = types.ensure([]).catch(() => undefined)
  return {
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    deliver(messages, commitTimestamp) {
      // Chained: commit order even while a type lookup is pending; a failure never breaks the chain.
      delivery = delivery
        .then(() => deliverTransaction(listeners, types, { messages, commitTimestamp }, logger))
        .catch((error: unknown) =>
          logger?.error('change source: could not deliver a transaction', { error: thrownKind(error) }),
        )
    },
    settled: () => delivery,
    clear: () => listeners.clear(),
  }
}
