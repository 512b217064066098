import { describe, expect, it } from 'vitest'
import { normalizePostgresChange } from '../../src/transport/normalize'

/** An UPDATE as supabase-js hands it to a postgres_changes callback, with Realtime's `errors`. */
const payload = (errors: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schema: 'public',
  table: 'todos',
  commit_timestamp: '2024-01-01T00:00:00Z',
  eventType: 'UPDATE',
  new: { id: 1 },
  old: {},
  errors,
  ...extra,
})

describe("normalizePostgresChange and Realtime's errors", () => {
  it('carries a list of errors onto the event (the record was trimmed or refused)', () => {
    const result = normalizePostgresChange(payload(['Error 413: Payload Too Large']), 'todos', 0)
    expect(result).toMatchObject({
      ok: true,
      event: { eventType: 'UPDATE', new: { id: 1 }, errors: ['Error 413: Payload Too Large'] },
    })
  })

  it('leaves errors off the event when the payload says null, an empty list, or nothing', () => {
    for (const errors of [null, [], undefined]) {
      const result = normalizePostgresChange(payload(errors), 'todos', 0)
      expect(result.ok).toBe(true)
      expect(result.ok && 'errors' in result.event).toBe(false)
    }
    const { errors: _errors, ...withoutErrors } = payload(null)
    const result = normalizePostgresChange(withoutErrors, 'todos', 0)
    expect(result.ok && 'errors' in result.event).toBe(false)
  })

  it('copies the list, so that the event does not share the payload array', () => {
    const errors = ['Error 401: Unauthorized']
    const result = normalizePostgresChange(payload(errors), 'todos', 0)
    errors.push('changed later')
    expect(result.ok && result.event.errors).toEqual(['Error 401: Unauthorized'])
  })

  it.each([
    ['a string', 'Error 413: Payload Too Large'],
    ['a number', 413],
    ['an object', { message: 'too large' }],
    ['a list with a non-string entry', ['fine', 42]],
    ['true', true],
  ])('refuses errors that are %s, naming the field and not its content', (_what, errors) => {
    const result = normalizePostgresChange(payload(errors, { new: { id: 1, secret: 'SECRET-ROW-VALUE' } }), 'todos', 0)
    expect(result.ok).toBe(false)
    const reason = result.ok ? '' : result.reason
    expect(reason).toBe('postgres_changes payload has errors that are not a list of strings')
    expect(reason).not.toContain('SECRET')
    expect(reason).not.toContain('413')
  })
})
