import { fail, object } from './optionChecks'

/** Longest channel name accepted. */
const MAX_CHANNEL_NAME_LENGTH = 256

/** The `crossTab` option validated; its channel is named after the slice's `reducerPath` unless given. @internal */
export function resolveCrossTab(value: unknown, reducerPath: string): { enabled: boolean; channelName: string } {
  const input = object('crossTab', value)
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
    fail('crossTab.enabled', 'must be a boolean', input.enabled)
  const channelName = input.channelName ?? `rtk-supabase-realtime:${reducerPath}`
  if (typeof channelName !== 'string' || channelName === '' || channelName.length > MAX_CHANNEL_NAME_LENGTH) {
    fail(
      'crossTab.channelName',
      `must be a non-empty string of at most ${MAX_CHANNEL_NAME_LENGTH} characters`,
      channelName,
    )
  }
  return { enabled: input.enabled ?? true, channelName }
}
