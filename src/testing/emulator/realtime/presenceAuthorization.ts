import type { JwtClaims } from '../types'
import type { ChannelPresence } from './presence'
import type { ServerContext } from './session'

/** A private channel's topic and token, what its presence policies are checked with. */
interface PrivateChannel {
  subTopic: string
  claims: JwtClaims
}

/**
 * Whether the RLS policies on `realtime.messages` for `extension = 'presence'` let the token read
 * or write: `service_role` and the `authorizePrivate` override always may; without the database
 * (or its roles) the emulator allows it. A failing check is logged and counts as refused (the
 * server answers an error too).
 */
async function presencePolicy(ctx: ServerContext, kind: 'read' | 'write', channel: PrivateChannel): Promise<boolean> {
  if (channel.claims.role === 'service_role' || ctx.authorizePrivate || !ctx.policies) return true
  try {
    return (await ctx.policies.allows(kind, channel.subTopic, channel.claims, 'presence')) ?? true
  } catch (error) {
    ctx.logger.warn('RlsPolicyError: a presence policy check failed', {
      topic: channel.subTopic,
      error: (error as { code?: string }).code ?? 'unknown',
    })
    return false
  }
}

/** Checks presence read on a private channel (at join when presence is enabled there, else on its first track). */
export async function authorizePresenceRead(
  ctx: ServerContext,
  channel: PrivateChannel,
  state: ChannelPresence,
): Promise<void> {
  if (state.mayRead === null) state.mayRead = await presencePolicy(ctx, 'read', channel)
}

/** Whether a channel may track: public channels may; a private one needs the presence INSERT policy (checked once). */
export async function mayTrack(
  ctx: ServerContext,
  channel: PrivateChannel & { isPrivate: boolean },
  state: ChannelPresence,
): Promise<boolean> {
  if (!channel.isPrivate) return true
  await authorizePresenceRead(ctx, channel, state)
  state.mayTrack ??= await presencePolicy(ctx, 'write', channel)
  return state.mayTrack
}
