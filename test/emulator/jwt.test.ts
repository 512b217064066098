import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createDefaultKeys, DEFAULT_JWT_SECRET, signJwt, verifyJwt } from '../../src/testing/emulator/jwt'

const SECRET = 'test-secret-with-at-least-32-characters!!'
const NOW = 1_700_000_000_000

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

describe('signJwt / verifyJwt', () => {
  it('round-trips the claims', () => {
    const claims = { role: 'authenticated', sub: 'user-1', exp: NOW / 1000 + 60, custom: { a: [1, 2] } }
    const token = signJwt(claims, SECRET)
    expect(token.split('.')).toHaveLength(3)
    expect(token).not.toMatch(/[+/=]/)
    expect(verifyJwt(token, SECRET, NOW)).toEqual({ ok: true, claims })
  })

  it('accepts a token without exp', () => {
    expect(verifyJwt(signJwt({ role: 'anon' }, SECRET), SECRET, NOW)).toEqual({ ok: true, claims: { role: 'anon' } })
  })

  it('refuses a tampered payload, a tampered signature and a wrong secret', () => {
    const token = signJwt({ role: 'anon' }, SECRET)
    const [header, , signature] = token.split('.') as [string, string, string]
    expect(verifyJwt(`${header}.${b64({ role: 'service_role' })}.${signature}`, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    })
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA')
    expect(verifyJwt(`${header}.${token.split('.')[1]}.${flipped}`, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    })
    expect(verifyJwt(`${header}.${token.split('.')[1]}.${signature.slice(0, 10)}`, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    })
    expect(verifyJwt(token, `${SECRET}x`, NOW)).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('refuses an expired token (exp in seconds, inclusive)', () => {
    const exp = NOW / 1000
    expect(verifyJwt(signJwt({ exp: exp - 1 }, SECRET), SECRET, NOW)).toEqual({ ok: false, reason: 'expired' })
    expect(verifyJwt(signJwt({ exp }, SECRET), SECRET, NOW)).toEqual({ ok: false, reason: 'expired' })
    expect(verifyJwt(signJwt({ exp: exp + 1 }, SECRET), SECRET, NOW).ok).toBe(true)
  })

  it('refuses malformed tokens', () => {
    const token = signJwt({ role: 'anon' }, SECRET)
    const [header, payload, signature] = token.split('.') as [string, string, string]
    for (const bad of [
      '',
      'abc',
      'a.b',
      `${token}.x`,
      `!!.${payload}.${signature}`,
      `${header}.${b64('text')}.${signature}`,
      `${header}.${payload}.`,
    ]) {
      expect(verifyJwt(bad, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' })
    }
    const badExp = signJwt({ exp: 'tomorrow' } as never, SECRET)
    expect(verifyJwt(badExp, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' })
  })

  it('refuses alg none and any algorithm other than HS256', () => {
    const payload = b64({ role: 'service_role' })
    expect(verifyJwt(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, SECRET, NOW).ok).toBe(false)
    expect(verifyJwt(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.sig`, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'unsupported_alg',
    })
    for (const alg of ['HS512', 'RS256', 'hs256']) {
      const header = b64({ alg, typ: 'JWT' })
      const signature = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url')
      expect(verifyJwt(`${header}.${payload}.${signature}`, SECRET, NOW)).toEqual({
        ok: false,
        reason: 'unsupported_alg',
      })
    }
  })
})

describe('createDefaultKeys', () => {
  it('reproduces the well-known local development keys', () => {
    const { anonKey, serviceRoleKey } = createDefaultKeys(DEFAULT_JWT_SECRET)
    expect(anonKey).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0',
    )
    expect(serviceRoleKey).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
    )
  })

  it('signs keys with the given secret, with roles anon and service_role', () => {
    const { anonKey, serviceRoleKey } = createDefaultKeys(SECRET)
    const anon = verifyJwt(anonKey, SECRET, NOW)
    const service = verifyJwt(serviceRoleKey, SECRET, NOW)
    expect(anon.ok && anon.claims).toMatchObject({ role: 'anon', iss: 'supabase-demo' })
    expect(service.ok && service.claims).toMatchObject({ role: 'service_role', iss: 'supabase-demo' })
    expect(verifyJwt(anonKey, DEFAULT_JWT_SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' })
  })
})
