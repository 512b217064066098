import type { SupabaseClient } from '@supabase/supabase-js'
import { isRtkqApi } from '../rtkq/rtkqApi'
import { fail } from './optionChecks'

/** Checks that `client` looks like a supabase-js client, naming what is missing. @internal */
export function assertSupabaseClient(client: unknown): asserts client is SupabaseClient {
  const candidate = client as { realtime?: unknown; channel?: unknown; removeChannel?: unknown } | null
  if (typeof candidate !== 'object' || candidate === null)
    fail('client', 'must be a Supabase client from createClient()', client === undefined ? 'undefined' : typeof client)
  if (
    typeof candidate.channel !== 'function' ||
    typeof candidate.removeChannel !== 'function' ||
    typeof candidate.realtime !== 'object'
  ) {
    throw new TypeError(
      'createRealtime(): client must be a Supabase client from createClient() (it has no realtime, channel or removeChannel)',
    )
  }
}

/** Checks that `api` is an RTK Query api (createApi), naming what is missing; `routes` need one. @internal */
export function assertApiOption(options: { api?: unknown; routes?: unknown }): void {
  if (options.routes !== undefined && options.api === undefined) {
    throw new TypeError('createRealtime(): routes need api (the RTK Query api whose tags they name)')
  }
  if (options.api !== undefined && !isRtkqApi(options.api))
    throw new TypeError(
      'createRealtime(): api must be an RTK Query api from createApi() (it has no reducerPath or util.invalidateTags)',
    )
}
