import { describe, expect, it } from 'vitest'
import { jwtTimes } from '../../src/transport/jwtTimes'

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const jwt = (claims: unknown) => `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2ln`
const NONE = { expiresAt: null, issuedAt: null }

describe('jwtTimes', () => {
  it('reads exp and iat in ms, without verifying the signature', () => {
    expect(jwtTimes(jwt({ exp: 1_700_003_600, iat: 1_700_000_000, sub: 'u' }))).toEqual({
      expiresAt: 1_700_003_600_000,
      issuedAt: 1_700_000_000_000,
    })
    expect(jwtTimes(jwt({ exp: 1_700_003_600, name: 'Zoë 🙂' }))).toEqual({
      expiresAt: 1_700_003_600_000,
      issuedAt: null,
    })
  })

  it.each([
    ['a publishable key', 'sb_publishable_abc'],
    ['an opaque token', 'opaque-token'],
    ['an empty string', ''],
    ['a number', 42],
    ['null', null],
    ['an object', {}],
    ['two segments', 'a.b'],
    ['a payload that is not base64', 'a.%%%.c'],
    ['a payload that is not JSON', `a.${Buffer.from('not json').toString('base64url')}.c`],
    ['a payload that is JSON null', `a.${part(null)}.c`],
    ['claims of the wrong type', jwt({ exp: '1700003600', iat: true })],
    ['a negative or zero exp', jwt({ exp: -5, iat: 0 })],
    ['a payload of megabytes', `a.${'A'.repeat(100_000)}.c`],
  ])('knows nothing about %s', (_, token) => {
    expect(jwtTimes(token)).toEqual(NONE)
  })
})
