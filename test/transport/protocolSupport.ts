/**
 * Helpers for the protocol tests: the REAL supabase-js client against the msw fake Realtime
 * server, with Vitest's fake timers driving supabase-js (it reads the global timers) and our
 * sagas (`systemClock` reads them at call time). msw's WebSocket interception only uses
 * microtasks, so it keeps working while timers are faked.
 */
import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js'
import { vi } from 'vitest'
import type { MswRealtimeServer } from '../support/mswRealtimeServer'

export const ANON_KEY = 'anon-key'

/** The timers supabase-js, phoenix and our sagas use. queueMicrotask and setImmediate stay real. */
export const FAKED_TIMERS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as const

export function useProtocolFakeTimers(): void {
  vi.useFakeTimers({ toFake: [...FAKED_TIMERS] })
}

/** A client bound to the (already listening) msw server. Never pass `realtime.transport`. */
export function makeClient(rt: MswRealtimeServer, options: SupabaseClientOptions<'public'> = {}): SupabaseClient {
  return createClient(rt.url, ANON_KEY, {
    ...options,
    auth: { persistSession: false, autoRefreshToken: false, ...options.auth },
  })
}

/** Lets every pending microtask and I/O callback run (setImmediate is not faked). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

// A wait that outlives its test (the test timed out under load) must not keep ticking the fake
// clock while the next hooks tick it too: every wait belongs to one test (epoch) and ticks one at a time.
let epoch = 0
let inflight: Promise<unknown> = Promise.resolve()

async function tick(ms: number, owner: number): Promise<void> {
  if (owner !== epoch) throw new Error('a protocol wait outlived its test and was stopped')
  const ticking = vi.advanceTimersByTimeAsync(ms)
  inflight = ticking.catch(() => undefined)
  await ticking
  await flush()
}

/** Ends the current test's waits: call first in afterEach, before ticking the clock again. */
export async function endTest(): Promise<void> {
  epoch += 1
  await inflight
}

/** Advances fake time by `ms` in steps, flushing microtasks between steps. */
export async function advance(ms: number, step = 10): Promise<void> {
  const owner = epoch
  for (let left = ms; left > 0; left -= step) await tick(Math.min(step, left), owner)
}

export interface UntilOptions {
  /** Fake milliseconds to wait at most (default 2000). */
  maxMs?: number
  step?: number
  message?: string
}

/** Advances fake time until `predicate` is truthy; fails after `maxMs` of fake time. */
export async function until<T>(
  predicate: () => T,
  { maxMs = 2_000, step = 10, message }: UntilOptions = {},
): Promise<NonNullable<T>> {
  const owner = epoch
  for (let waited = 0; ; waited += step) {
    await flush()
    const value = predicate()
    if (value) return value as NonNullable<T>
    if (waited >= maxMs) throw new Error(`until() gave up after ${maxMs} fake ms: ${message ?? predicate.toString()}`)
    await tick(step, owner)
  }
}

/**
 * Runs `work` while fake time advances (so that phoenix's teardown timers can fire), then
 * returns its result. Use for steps that wait on supabase-js timers (disconnect, removeAllChannels).
 */
export async function whileAdvancing<T>(work: Promise<T>, ms = 2_000): Promise<T> {
  const owner = epoch
  let done = false
  const tracked = work.finally(() => {
    done = true
  })
  for (let waited = 0; !done && waited < ms; waited += 50) await tick(50, owner)
  return tracked
}

/**
 * Closes everything a test opened so that the Vitest worker can exit: channels, the socket
 * (while fake time still runs, so phoenix's close polling completes), then real timers and the server.
 */
export async function closeAll(rt: MswRealtimeServer, clients: SupabaseClient[]): Promise<void> {
  await endTest()
  for (const client of clients) {
    await whileAdvancing(client.removeAllChannels().catch(() => undefined))
    await whileAdvancing(client.realtime.disconnect().catch(() => undefined))
  }
  vi.clearAllTimers()
  vi.useRealTimers()
  rt.close()
}

/** Topics of the client's channels, `realtime:` prefix removed. */
export function clientTopics(client: SupabaseClient): string[] {
  return client.realtime.getChannels().map((channel) => channel.topic.replace(/^realtime:/, ''))
}

/** Throws if the client holds two channels for one topic. */
export function expectNoDuplicateTopics(client: SupabaseClient): void {
  const topics = clientTopics(client)
  const duplicates = topics.filter((topic, index) => topics.indexOf(topic) !== index)
  if (duplicates.length > 0)
    throw new Error(`client holds two channels for ${duplicates.join(', ')}: ${topics.join(', ')}`)
}

// ---- a fake GoTrue session (no signature check: the fake server only compares tokens) ----

export const FAKE_USER = {
  id: 'user-1',
  aud: 'authenticated',
  role: 'authenticated',
  email: 'user@example.test',
  app_metadata: { provider: 'email' },
  user_metadata: {},
  created_at: '2024-01-01T00:00:00Z',
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/** An unsigned JWT that auth-js accepts (it decodes, it does not verify). `generation` makes tokens distinct. */
export function fakeJwt(sub: string, generation: number): string {
  const exp = Math.floor(Date.now() / 1000) + 3_600
  return `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub, exp, role: 'authenticated', aud: 'authenticated', generation })}.c2ln`
}

/** A GoTrue token response. */
export function fakeSession(accessToken: string, refreshToken: string) {
  return {
    access_token: accessToken,
    refresh_token: refreshToken,
    token_type: 'bearer',
    expires_in: 3_600,
    expires_at: Math.floor(Date.now() / 1000) + 3_600,
    user: FAKE_USER,
  }
}
