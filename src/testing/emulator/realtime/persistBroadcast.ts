import { thrownKind } from '../../../env/logger'
import type { ServerContext } from './session'
import { isMap } from './payloadMap'

/**
 * Whether a client broadcast asks to be stored: supabase-js 2.119+ sends `persist` (true or
 * `{ ttl }`) in a vsn 2.0.0 kind 3 frame's metadata (`meta.persist`); a text frame may carry it
 * beside `event` and `payload`.
 */
export function persistRequested(push: unknown): boolean {
  if (!isMap(push)) return false
  const flag = isMap(push.meta) ? push.meta.persist : push.persist
  return flag === true || isMap(flag)
}

/**
 * Stores a sent broadcast for replay, as the real server's broadcast storage does: only on a
 * private channel the sender may write to (checked before), as a private `broadcast` message
 * of the topic that replication does not deliver again. Resolves with the message id, or null
 * when it was not stored (a public channel, no database, or the insert failed: logged, and the
 * broadcast itself still went out, as on the server).
 */
export async function persistBroadcast(
  ctx: ServerContext,
  subTopic: string,
  isPrivate: boolean,
  event: unknown,
  payload: unknown,
): Promise<string | null> {
  if (!isPrivate) {
    ctx.logger.once('persist-public', 'info', 'persist on a public channel: the broadcast was not stored')
    return null
  }
  if (!ctx.replay || typeof event !== 'string') {
    ctx.logger.once('persist-unavailable', 'info', 'persist without a database (or an event name): not stored')
    return null
  }
  try {
    return await ctx.replay.persist(subTopic, event, payload)
  } catch (error) {
    ctx.logger.warn('UnableToPersistMessage', {
      topic: subTopic,
      error: (error as { code?: string }).code ?? thrownKind(error),
    })
    return null
  }
}
