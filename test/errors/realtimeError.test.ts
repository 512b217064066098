import { describe, expect, it } from 'vitest'
import {
  isRealtimeError,
  REALTIME_ERROR_TYPES,
  RealtimeError,
  serializeRealtimeError,
  type RealtimeErrorType,
} from '../../src/errors/realtimeError'

describe('RealtimeError', () => {
  it('knows exactly the six error types of DESIGN.md §5', () => {
    expect([...REALTIME_ERROR_TYPES].sort()).toEqual([
      'AUTHENTICATION_FAILED',
      'CHANNEL_ERROR',
      'CONNECTION_FAILED',
      'NETWORK_ERROR',
      'SUBSCRIPTION_FAILED',
      'TIMEOUT',
    ])
  })

  it.each([
    ['CONNECTION_FAILED', true],
    ['SUBSCRIPTION_FAILED', true],
    ['CHANNEL_ERROR', true],
    ['TIMEOUT', true],
    ['AUTHENTICATION_FAILED', false],
    ['NETWORK_ERROR', true],
  ] as const)('treats %s as retryable=%s by default', (type: RealtimeErrorType, retryable) => {
    expect(new RealtimeError(type, 'x').retryable).toBe(retryable)
  })

  it('lets the caller override retryable either way', () => {
    expect(new RealtimeError('CHANNEL_ERROR', 'permission denied', { retryable: false }).retryable).toBe(false)
    expect(new RealtimeError('AUTHENTICATION_FAILED', 'token expired', { retryable: true }).retryable).toBe(true)
  })

  it('is an Error and a RealtimeError, named RealtimeError, with a stack', () => {
    const error = new RealtimeError('TIMEOUT', 'join timed out after 10000 ms')
    expect(error).toBeInstanceOf(Error)
    expect(error).toBeInstanceOf(RealtimeError)
    expect(error.name).toBe('RealtimeError')
    expect(error.message).toBe('join timed out after 10000 ms')
    expect(error.type).toBe('TIMEOUT')
    expect(typeof error.stack).toBe('string')
    expect(String(error)).toBe('RealtimeError: join timed out after 10000 ms')
  })

  it('keeps its cause', () => {
    const cause = new Error('socket hang up')
    const error = new RealtimeError('NETWORK_ERROR', 'socket closed', { cause })
    expect(error.cause).toBe(cause)
  })

  it('keeps a non-Error cause', () => {
    expect(new RealtimeError('CHANNEL_ERROR', 'x', { cause: { status: 'CHANNEL_ERROR' } }).cause).toEqual({
      status: 'CHANNEL_ERROR',
    })
  })

  it('has no cause when none is given', () => {
    expect('cause' in new RealtimeError('TIMEOUT', 'x')).toBe(false)
  })

  it('keeps its context, empty by default', () => {
    expect(new RealtimeError('TIMEOUT', 'x').context).toEqual({})
    expect(new RealtimeError('TIMEOUT', 'x', { context: { topic: 'project:1', attempt: 2 } }).context).toEqual({
      topic: 'project:1',
      attempt: 2,
    })
  })

  it('serializes an error that is no refusal to exactly { type, message, retryable }, leaving context and cause out', () => {
    const error = new RealtimeError('SUBSCRIPTION_FAILED', 'join refused', {
      context: { topic: 'project:1' },
      cause: new Error('inner'),
    })
    const expected = { type: 'SUBSCRIPTION_FAILED', message: 'join refused', retryable: true }
    expect(error.toJSON()).toStrictEqual(expected)
    expect(Object.keys(error.toJSON()).sort()).toEqual(['message', 'retryable', 'type'])
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual(expected)
    expect(serializeRealtimeError(error)).toStrictEqual(expected)
  })

  it("serializes the server's refusal too, so a user reading the store can switch on serverError", () => {
    const error = new RealtimeError('SUBSCRIPTION_FAILED', 'Unable to subscribe', {
      retryable: false,
      serverError: 'subscription-refused',
    })
    expect(serializeRealtimeError(error)).toStrictEqual({
      type: 'SUBSCRIPTION_FAILED',
      message: 'Unable to subscribe',
      retryable: false,
      serverError: 'subscription-refused',
    })
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual(serializeRealtimeError(error))
  })

  it('serializes to a new plain object each time', () => {
    const error = new RealtimeError('TIMEOUT', 'x')
    const json = error.toJSON()
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype)
    expect(error.toJSON()).not.toBe(json)
  })
})

describe('isRealtimeError', () => {
  it('recognises a RealtimeError', () => {
    expect(isRealtimeError(new RealtimeError('TIMEOUT', 'x'))).toBe(true)
  })

  it('rejects a plain Error, a serialized RealtimeError and other values', () => {
    expect(isRealtimeError(new Error('x'))).toBe(false)
    expect(isRealtimeError(new RealtimeError('TIMEOUT', 'x').toJSON())).toBe(false)
    expect(isRealtimeError({ name: 'RealtimeError', type: 'TIMEOUT', message: 'x', retryable: true })).toBe(false)
    expect(isRealtimeError(null)).toBe(false)
    expect(isRealtimeError(undefined)).toBe(false)
    expect(isRealtimeError('TIMEOUT')).toBe(false)
  })
})
