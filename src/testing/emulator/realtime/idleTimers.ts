import type { TimerHandle } from '../../../env/clock'
import type { ServerContext, Session } from './session'

/** The websocket timeout of every session of a hub. */
export interface IdleTimers {
  /** (Re)starts the session's timeout: called on open, on every frame and on every ping. */
  arm(session: Session): void
  disarm(session: Session): void
  disarmAll(): void
}

/**
 * Closes a socket with 1000 once it has sent nothing for `idleTimeoutMs` on the context's clock,
 * as Phoenix's websocket `timeout` does; 0 or less: never.
 *
 * @internal
 */
export function createIdleTimers(ctx: ServerContext, idleTimeoutMs: number): IdleTimers {
  const timers = new Map<Session, TimerHandle>()
  const closeIdle = (session: Session): void => {
    timers.delete(session)
    ctx.logger.info('closing a socket that sent nothing for the websocket timeout', {
      session: session.id,
      timeoutMs: idleTimeoutMs,
    })
    session.socket.close(1000)
  }
  const disarm = (session: Session): void => {
    const timer = timers.get(session)
    if (timer !== undefined) ctx.clock.clearTimeout(timer)
    timers.delete(session)
  }
  return {
    arm(session) {
      if (idleTimeoutMs <= 0) return
      disarm(session)
      timers.set(
        session,
        ctx.clock.setTimeout(() => closeIdle(session), idleTimeoutMs),
      )
    },
    disarm,
    disarmAll() {
      for (const session of [...timers.keys()]) disarm(session)
    },
  }
}
