import type { Logger } from '../env/logger'

const knownClients = new WeakSet<object>()
let distinctClients = 0

/**
 * Notes which Supabase client an instance runs on and warns when a second client appears:
 * two clients mean two sockets and two owners of the same topics.
 */
export function reportClient(clientKey: object, logger: Logger): void {
  if (knownClients.has(clientKey)) return
  knownClients.add(clientKey)
  distinctClients += 1
  if (distinctClients > 1) {
    logger.once(
      'second-client',
      'warn',
      'a second Supabase client got a realtime instance: use one client (and one createRealtime) per app, or you pay for two sockets',
    )
  }
}
