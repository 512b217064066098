import { describe, expect, it } from 'vitest'
import { createAuthStore } from '../../src/testing/emulator/auth/authStore'
import { FakeClock } from '../support/fakeClock'

describe('the Auth store rotates refresh tokens and ends sessions as GoTrue does', () => {
  it('rotates a refresh token; the rotated one works for 10 s (the current token again), then is already used', async () => {
    const clock = new FakeClock(0)
    const store = createAuthStore(clock)
    const user = store.signUp('a@example.com', 'secret-1', {})!
    const { sessionId, refreshToken } = store.startSession(user.id)
    const first = store.refresh(refreshToken)
    expect(first).toMatchObject({ ok: true, sessionId, userId: user.id })
    const next = (first as { next: string }).next
    expect(next).not.toBe(refreshToken)
    await clock.advance(9_000)
    expect(store.refresh(refreshToken)).toEqual({ ok: true, sessionId, userId: user.id, next })
    await clock.advance(2_000)
    expect(store.refresh(refreshToken)).toEqual({ ok: false, code: 'refresh_token_already_used' })
    expect(store.refresh('nope')).toEqual({ ok: false, code: 'refresh_token_not_found' })
  })

  it('signs out one session (local), the others (others) or all of them (global)', () => {
    const store = createAuthStore(new FakeClock(0))
    const user = store.signUp('b@example.com', 'secret-2', {})!
    const [a, b, c] = [store.startSession(user.id), store.startSession(user.id), store.startSession(user.id)]
    store.signOut(a.sessionId, 'local')
    expect([a, b, c].map((s) => store.hasSession(s.sessionId))).toEqual([false, true, true])
    store.signOut(b.sessionId, 'others')
    expect([b, c].map((s) => store.hasSession(s.sessionId))).toEqual([true, false])
    store.signOut(b.sessionId, 'global')
    expect(store.hasSession(b.sessionId)).toBe(false)
    expect(store.refresh(b.refreshToken)).toEqual({ ok: false, code: 'refresh_token_not_found' })
  })

  it('refuses a second sign-up of one email (case-insensitively) and a wrong password', () => {
    const store = createAuthStore(new FakeClock(0))
    expect(store.signUp('C@example.com', 'secret-3', {})).not.toBeNull()
    expect(store.signUp('c@EXAMPLE.com', 'other', {})).toBeNull()
    expect(store.verifyPassword('c@example.com', 'wrong')).toBeNull()
    expect(store.verifyPassword('C@example.com', 'secret-3')?.email).toBe('c@example.com')
  })
})
