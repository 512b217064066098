import type { SupabaseClient } from '@supabase/supabase-js'
import type { Clock } from '../env/clock'
import { RealtimeError } from '../errors/realtimeError'
import { tokenNeedsRefresh, tokenTooOldToJoin } from '../policy/tokenRefresh'
import { jwtTimes } from './jwtTimes'
import type { AuthSnapshot } from '../events/port'

/** realtime-js members read here (public at runtime, not all in its type declarations). */
interface RealtimeAuthInternals {
  /** supabase-js sets it to its own token getter: the app's `accessToken` option, else `getSession()`. */
  accessToken?: (() => Promise<unknown>) | null
  apiKey?: string | null
  accessTokenValue?: string | null
}

async function refreshSessionQuietly(client: SupabaseClient): Promise<void> {
  try {
    await client.auth.refreshSession()
  } catch {
    // No session, or third-party auth (no auth namespace): the token source is asked again below.
  }
}

/**
 * The session's token, or null when signed out. A session that could not be loaded or refreshed
 * (the auth server down at an expiry) is an error: falling back to the API key would join as
 * anonymous, and row-level security would then hide every change without a word.
 */
async function sessionToken(client: SupabaseClient): Promise<string | null> {
  const { data, error } = await client.auth.getSession()
  if (error)
    throw new RealtimeError('AUTHENTICATION_FAILED', 'the session could not be loaded or refreshed', {
      retryable: true,
    })
  return data.session?.access_token ?? null
}

/**
 * Gets a token that is fresh enough to join with and hands it to realtime (`setAuth(token)`,
 * which also pushes it to joined channels as `access_token`). The token's `exp` is read without
 * verification: one that expires within the refresh lead is refreshed first, and one that is
 * still expired afterwards is refused, so no join or rejoin goes out with it (supabase-js
 * 2.109–2.119 can rejoin with a stale JWT after a tab wakes). A token source that answers with
 * something that is not a token is an error too; `null` means "no user": the API key.
 *
 * @internal
 */
export async function authorizeFresh(
  client: SupabaseClient,
  clock: Clock,
  forceRefresh: boolean,
): Promise<AuthSnapshot> {
  const realtime = client.realtime
  const internals = realtime as unknown as RealtimeAuthInternals
  const source = internals.accessToken
  if (typeof source !== 'function') {
    // No token getter (a realtime client built by hand): realtime's own setAuth() is all there is.
    if (forceRefresh) await refreshSessionQuietly(client)
    await realtime.setAuth()
    const token = internals.accessTokenValue ?? null
    return { signedIn: token !== null && token !== '' && token !== internals.apiKey, ...jwtTimes(token) }
  }
  const thirdParty = (client as unknown as { accessToken?: unknown }).accessToken
  const read = async (): Promise<string> => {
    const token =
      (typeof thirdParty === 'function' ? await source.call(realtime) : await sessionToken(client)) ??
      internals.apiKey ??
      null
    if (typeof token !== 'string' || token === '') {
      throw new RealtimeError(
        'AUTHENTICATION_FAILED',
        'the access token source answered with something that is not a token',
        { retryable: true },
      )
    }
    return token
  }
  if (forceRefresh) await refreshSessionQuietly(client)
  let token = await read()
  let times = jwtTimes(token)
  if (!forceRefresh && tokenNeedsRefresh(times, clock.now())) {
    await refreshSessionQuietly(client)
    token = await read()
    times = jwtTimes(token)
  }
  if (tokenTooOldToJoin(times, clock.now())) {
    throw new RealtimeError(
      'AUTHENTICATION_FAILED',
      'the access token source gave an expired token (even after a refresh)',
      { retryable: true },
    )
  }
  await realtime.setAuth(token)
  return { signedIn: token !== internals.apiKey, ...times }
}
