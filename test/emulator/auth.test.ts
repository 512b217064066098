import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { signJwt } from '../../src/testing/emulator/jwt'
import { FakeClock } from '../support/fakeClock'
import { waitFor } from '../support/waitFor'
import { connectRaw, KEYS, reached, SECRET, startHarness, subscribe, userToken, type Harness } from './emulatorSupport'

/** A raw HTTP upgrade request: the status and body of a refusal, or 101. */
function upgradeAttempt(url: URL, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    })
    req.on('upgrade', (_res, socket) => {
      socket.destroy()
      resolve({ status: 101, body: '' })
    })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('auth: tokens and private channels are refused as the real server refuses them', () => {
  let h: Harness
  afterEach(async () => {
    await h.stop()
  })

  it('refuses upgrades without an apikey or with a bad token (401 and the real texts), with an unknown vsn (403) or on another path (404)', async () => {
    h = await startHarness()
    const refusal = async (options: Parameters<typeof connectRaw>[1], headers?: Record<string, string>) => {
      const url = new URL('/realtime/v1/websocket', h.server.url)
      if (options?.apikey) url.searchParams.set('apikey', options.apikey)
      url.searchParams.set('vsn', options?.vsn ?? '2.0.0')
      return upgradeAttempt(url, headers)
    }
    const now = Math.floor(Date.now() / 1000)
    expect(await refusal({ apikey: null })).toEqual({ status: 401, body: '{"error":"API key is missing"}' })
    expect(await refusal({ apikey: 'nonsense' })).toEqual({
      status: 401,
      body: '{"error":"The token provided is not a valid JWT"}',
    })
    expect(
      await refusal({ apikey: signJwt({ role: 'anon', exp: 2_000_000_000 }, 'another-secret-another-secret-0000') }),
    ).toEqual({ status: 401, body: '{"error":"Failed to validate JWT signature"}' })
    expect(await refusal({ apikey: signJwt({ role: 'anon', exp: now - 10 }, SECRET) })).toEqual({
      status: 401,
      body: '{"error":"Token has expired"}',
    })
    expect(await refusal({ apikey: signJwt({ role: 'anon' }, SECRET) })).toEqual({
      status: 401,
      body: '{"error":"Fields `role` and `exp` are required in JWT"}',
    })
    expect(await refusal({ apikey: KEYS.anonKey, vsn: '3.0.0' })).toEqual({ status: 403, body: '' })
    // the x-api-key header wins over ?apikey= (and an apikey header is not read)
    expect(await refusal({ apikey: KEYS.anonKey }, { 'x-api-key': 'nonsense' })).toEqual({
      status: 401,
      body: '{"error":"The token provided is not a valid JWT"}',
    })
    expect(await refusal({ apikey: null }, { apikey: KEYS.anonKey })).toEqual({
      status: 401,
      body: '{"error":"API key is missing"}',
    })
    expect((await refusal({ apikey: null }, { 'x-api-key': KEYS.anonKey })).status).toBe(101)
    const status = (options: Parameters<typeof connectRaw>[1]) =>
      connectRaw(h.server.url, options).then(
        () => 101,
        (error: { status?: number }) => error.status,
      )
    expect(await status({ path: '/realtime/v1/elsewhere' })).toBe(404)
    const ok = await h.raw({ vsn: null }) // no vsn: Phoenix's default 1.0.0
    expect(ok.vsn).toBe('1.0.0')
    expect((await ok.reply(ok.push('phoenix', 'heartbeat'))).status).toBe('ok')
  })

  const refusals: [string, string, string | RegExp][] = [
    [
      'an expired token',
      userToken({ exp: Math.floor(Date.now() / 1000) - 30 }),
      /^InvalidJWTToken: Token has expired (30|31|32) seconds ago$/,
    ],
    [
      'a token signed with another secret',
      signJwt({ role: 'authenticated', exp: 2_000_000_000 }, 'not-the-secret-not-the-secret-000'),
      'JwtSignatureError: Failed to validate JWT signature',
    ],
    [
      'a token without exp',
      signJwt({ role: 'authenticated' }, SECRET),
      'InvalidJWTToken: Fields `role` and `exp` are required in JWT',
    ],
    ['a token that is not a JWT', 'definitely.not.ajwt', 'MalformedJWT: The token provided is not a valid JWT'],
  ]
  it.each(refusals)('refuses a join with %s, with the real server reason', async (_name, token, reason) => {
    h = await startHarness()
    const client = h.client()
    await client.realtime.setAuth(token)
    const statuses = subscribe(client.channel('room'))
    const failed = await reached(statuses, 'CHANNEL_ERROR')
    expect(failed.error?.message).toMatch(reason)
    expect(h.server.joinedTopics()).toEqual([])
  })

  it('shuts a channel down when its token expires while joined: system error, then phx_close (CLOSED)', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0 }) // the fake clock jumps past the websocket timeout
    const client = h.client()
    await client.realtime.setAuth(userToken({ exp: Math.floor(clock.now() / 1000) + 60 }, clock))
    const system: unknown[] = []
    const channel = client.channel('room').on('system', {}, (payload) => system.push(payload))
    const statuses = subscribe(channel)
    await reached(statuses)
    await clock.advance(59_000)
    await h.answered(client)
    expect(statuses.map((s) => s.status)).toEqual(['SUBSCRIBED'])
    await clock.advance(2_000)
    await reached(statuses, 'CLOSED')
    expect(system).toEqual([
      { extension: 'system', status: 'error', message: 'Token has expired 0 seconds ago', channel: 'room' },
    ])
    expect(h.server.joinedTopics()).toEqual([])
  })

  it('takes a fresh access_token while joined (and keeps the channel), and shuts the channel down for an expired one', async () => {
    const clock = new FakeClock(Date.now())
    h = await startHarness({ clock, idleTimeoutMs: 0 }) // the fake clock jumps past the websocket timeout
    const client = h.client()
    const now = Math.floor(clock.now() / 1000)
    await client.realtime.setAuth(userToken({ exp: now + 60 }, clock))
    const system: { message: string }[] = []
    const statuses = subscribe(
      client.channel('room').on('system', {}, (payload: { message: string }) => system.push(payload)),
    )
    await reached(statuses)
    await client.realtime.setAuth(userToken({ exp: now + 600 }, clock))
    await h.answered(client) // the server has taken the access_token pushed before it
    await clock.advance(120_000) // past the first token's exp, well before the second's
    await h.answered(client)
    expect(statuses.map((s) => s.status)).toEqual(['SUBSCRIBED'])
    await client.realtime.setAuth(userToken({ exp: now - 5 }, clock))
    await reached(statuses, 'CLOSED')
    expect(system.map((s) => s.message)).toEqual(['Token has expired 125 seconds ago'])
  })

  it('refuses a private channel to the anon key and lets a signed-in user in', async () => {
    h = await startHarness()
    const anon = h.client()
    const refused = await reached(subscribe(anon.channel('secret', { config: { private: true } })), 'CHANNEL_ERROR')
    expect(refused.error?.message).toBe(
      'Unauthorized: You do not have permissions to read from this Channel topic: secret',
    )
    const user = h.client()
    await user.realtime.setAuth(userToken())
    await reached(subscribe(user.channel('secret', { config: { private: true } })))
    const service = h.client({ key: KEYS.serviceRoleKey })
    await reached(subscribe(service.channel('secret', { config: { private: true } })))
  })

  it('asks authorizePrivate which user may join which private topic', async () => {
    const asked: [string, unknown][] = []
    h = await startHarness({
      authorizePrivate: (topic, claims) => (asked.push([topic, claims.sub]), topic === `user:${String(claims.sub)}`),
    })
    const token = userToken({ sub: 'alice' })
    const client = h.client({ accessToken: async () => token })
    await client.realtime.setAuth() // else the first join goes out before the token callback resolved
    await reached(subscribe(client.channel('user:alice', { config: { private: true } })))
    const refused = await reached(subscribe(client.channel('user:bob', { config: { private: true } })), 'CHANNEL_ERROR')
    expect(refused.error?.message).toBe(
      'Unauthorized: You do not have permissions to read from this Channel topic: user:bob',
    )
    expect(asked).toEqual([
      ['user:alice', 'alice'],
      ['user:bob', 'alice'],
    ])
  })

  it('answers heartbeats from supabase-js', async () => {
    h = await startHarness()
    const beats: string[] = []
    const client = h.client({
      realtime: { heartbeatIntervalMs: 50, heartbeatCallback: (status: string) => beats.push(status) },
    })
    await reached(subscribe(client.channel('room')))
    await waitFor(() => beats.filter((status) => status === 'ok').length >= 2)
    expect(beats).not.toContain('timeout')
  })
})
