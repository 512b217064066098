import { thrownKind, type Logger } from '../../../env/logger'
import type { ChangeSource, RowChange } from '../types'
import { toDatabaseBroadcast } from './databaseBroadcast'
import type { Hub } from './hub'

/** The sources of database changes: row changes, and inserts into `realtime.messages`. @internal */
export interface ChangeSources {
  changeSource?: ChangeSource
  broadcastSource?: ChangeSource
}

/**
 * Feeds row changes to the hub as postgres_changes and inserts into `realtime.messages` as
 * Broadcast from Database; returns the unsubscription of both.
 *
 * @internal
 */
export function subscribeSources(sources: ChangeSources, hub: Hub, logger: Logger): () => void {
  const onChange = (change: RowChange): void => {
    try {
      hub.deliverChange(change)
    } catch (error) {
      logger.error('delivering a row change failed', { table: change.table, error: thrownKind(error) })
    }
  }
  const unsubscribeChanges = sources.changeSource?.onChange(onChange) ?? (() => undefined)
  const unsubscribeBroadcasts =
    sources.broadcastSource?.onChange((change) => {
      const message = toDatabaseBroadcast(change)
      if (message)
        logger.debug('broadcast from database', { topic: message.topic, channels: hub.broadcastFromDatabase(message) })
    }) ?? (() => undefined)
  return () => {
    unsubscribeChanges()
    unsubscribeBroadcasts()
  }
}
