import type { Logger } from '../../../env/logger'
import type { FaultActions } from '../faults'
import type { TokenAuthority } from './auth'
import type { Hub } from './hub'

/**
 * The faults that act on the hub and the token authority, each logged; the hub is read when a
 * fault fires (it is created after the faults it consults).
 *
 * @internal
 */
export function faultEffects(
  hub: () => Hub,
  auth: TokenAuthority,
  logger: Logger,
  restartServer: () => Promise<void>,
): FaultActions {
  return {
    dropAllSockets: () => logger.info('dropping every socket (fault)', { sockets: hub().dropAll() }),
    channelError: (topic) => logger.info('phx_error (fault)', { channels: hub().channelError(topic) }),
    expireTokens: () => {
      auth.expireAll()
      logger.info('tokens expired (fault)', { channels: hub().shutDownExpired() })
    },
    clearExpiredTokens: () => auth.clearExpired(),
    sendMalformedFrame: (kind) =>
      logger.info('malformed frame sent (fault)', { kind, sockets: hub().sendMalformed(kind) }),
    restartServer,
  }
}
