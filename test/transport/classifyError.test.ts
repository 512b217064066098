import { describe, expect, it } from 'vitest'
import { RealtimeError, type RealtimeErrorType } from '../../src/errors/realtimeError'
import { classifyChannelFailure, describeCause } from '../../src/transport/classifyError'
import { EXPIRED_TOKEN_REASON } from '../support/mswRealtimeServer'

describe('describeCause', () => {
  it.each([
    ['an Error', new Error('socket closed: 1006'), 'socket closed: 1006'],
    ['a string', 'heartbeat timeout', 'heartbeat timeout'],
    ['a join reply response', { reason: 'Unauthorized: nope' }, 'Unauthorized: nope'],
    ['an object with a message', { message: 'boom' }, 'boom'],
    ['a reason that is not a string', { reason: 42 }, ''],
    ['an object with neither', { code: 1006 }, ''],
    ['a number', 1006, ''],
    ['null', null, ''],
    ['undefined', undefined, ''],
  ])('reads %s', (_name, cause, text) => {
    expect(describeCause(cause)).toBe(text)
  })
})

describe('classifyChannelFailure', () => {
  // The texts supabase-js 2.109 and Supabase Realtime actually produce.
  it.each<[string, 'CLOSED' | 'CHANNEL_ERROR', unknown, RealtimeErrorType, boolean]>([
    [
      'a join refused by RLS',
      'CHANNEL_ERROR',
      new Error('Unauthorized: You do not have permissions to read from this Channel topic: x'),
      'AUTHENTICATION_FAILED',
      false,
    ],
    ['an expired token', 'CHANNEL_ERROR', new Error(EXPIRED_TOKEN_REASON), 'AUTHENTICATION_FAILED', false],
    ['a British spelling', 'CHANNEL_ERROR', 'unauthorised', 'AUTHENTICATION_FAILED', false],
    ['a forbidden reply', 'CHANNEL_ERROR', { reason: 'Forbidden' }, 'AUTHENTICATION_FAILED', false],
    [
      'a permission error',
      'CHANNEL_ERROR',
      { reason: 'permission denied for table todos' },
      'AUTHENTICATION_FAILED',
      false,
    ],
    ['an invalid token', 'CHANNEL_ERROR', 'invalid_token', 'AUTHENTICATION_FAILED', false],
    [
      'a binding mismatch',
      'CHANNEL_ERROR',
      new Error('mismatch between server and client bindings for postgres changes'),
      'SUBSCRIPTION_FAILED',
      true,
    ],
    ['an abrupt socket close', 'CHANNEL_ERROR', new Error('socket closed: 1006'), 'NETWORK_ERROR', true],
    [
      'a socket close with a reason',
      'CHANNEL_ERROR',
      new Error('socket closed: 1011 (server error)'),
      'NETWORK_ERROR',
      true,
    ],
    ['a lost connection', 'CHANNEL_ERROR', new Error('channel error: connection lost'), 'NETWORK_ERROR', true],
    ['a transport failure', 'CHANNEL_ERROR', new Error('channel error: transport failure'), 'NETWORK_ERROR', true],
    ['a heartbeat timeout', 'CHANNEL_ERROR', new Error('heartbeat timeout'), 'NETWORK_ERROR', true],
    ['a refused TCP connection', 'CHANNEL_ERROR', 'connect ECONNREFUSED 127.0.0.1:4000', 'NETWORK_ERROR', true],
    [
      'an unknown server error',
      'CHANNEL_ERROR',
      { reason: 'Realtime was unable to connect to the project database' },
      'CHANNEL_ERROR',
      true,
    ],
    ['an error without a cause', 'CHANNEL_ERROR', undefined, 'CHANNEL_ERROR', true],
    ['a server phx_close', 'CLOSED', undefined, 'CHANNEL_ERROR', true],
    ['a close after a lost socket', 'CLOSED', new Error('socket closed: 1006'), 'NETWORK_ERROR', true],
    ['a close for an expired token', 'CLOSED', EXPIRED_TOKEN_REASON, 'AUTHENTICATION_FAILED', false],
  ])('classifies %s', (_name, status, cause, type, retryable) => {
    const error = classifyChannelFailure(status, cause, 'project:1')
    expect(error).toBeInstanceOf(RealtimeError)
    expect(error).toMatchObject({ type, retryable, context: { topic: 'project:1', status } })
    expect(error.cause).toBe(cause)
    expect(error.message).toContain('project:1')
  })

  it('treats every TIMED_OUT as a timeout, whatever came with it', () => {
    for (const cause of [undefined, new Error('Unauthorized'), 'socket closed: 1006']) {
      expect(classifyChannelFailure('TIMED_OUT', cause, 't')).toMatchObject({
        type: 'TIMEOUT',
        retryable: true,
        message: 'joining t timed out',
      })
    }
  })

  it('names the detail in the message, and says "closed by the server" for a bare CLOSED', () => {
    expect(classifyChannelFailure('CHANNEL_ERROR', new Error('socket closed: 1006'), 't').message).toBe(
      't lost its connection: socket closed: 1006',
    )
    expect(classifyChannelFailure('CHANNEL_ERROR', { reason: 'Unauthorized: nope' }, 't').message).toBe(
      't refused: Unauthorized: nope',
    )
    expect(classifyChannelFailure('CLOSED', undefined, 't').message).toBe('t was closed by the server')
    expect(classifyChannelFailure('CHANNEL_ERROR', undefined, 't').message).toBe('t failed')
    expect(classifyChannelFailure('CHANNEL_ERROR', { reason: 'busy' }, 't').message).toBe('t failed: busy')
  })

  it('calls a "transport failure" on an open socket what it is: an error of the channel, not a lost connection', () => {
    const phxError = new Error('channel error: transport failure')
    expect(classifyChannelFailure('CHANNEL_ERROR', phxError, 't', { socketOpen: true })).toMatchObject({
      type: 'CHANNEL_ERROR',
      retryable: true,
      message: 't: the server reported an error on this channel (the socket is still connected)',
    })
    expect(classifyChannelFailure('CHANNEL_ERROR', phxError, 't', { socketOpen: false })).toMatchObject({
      type: 'NETWORK_ERROR',
      message: 't lost its connection: channel error: transport failure',
    })
    // Auth refusals stay auth refusals whatever the socket does.
    expect(
      classifyChannelFailure('CHANNEL_ERROR', { reason: 'Unauthorized' }, 't', { socketOpen: true }),
    ).toMatchObject({ type: 'AUTHENTICATION_FAILED' })
  })

  it('serializes to type, message, retryable and the refusal only (what enters the store), never the token', () => {
    const error = classifyChannelFailure('CHANNEL_ERROR', { reason: 'Unauthorized: nope', token: 'secret-jwt' }, 't')
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual({
      type: 'AUTHENTICATION_FAILED',
      message: 't refused: Unauthorized: nope',
      retryable: false,
      serverError: 'unauthorized',
    })
  })

  it.each([
    [
      'ChannelRateLimitReached',
      { reason: 'ChannelRateLimitReached: Too many channels' },
      'channel-rate-limit',
      'SUBSCRIPTION_FAILED',
      true,
    ],
    [
      'ClientJoinRateLimitReached',
      { reason: 'ClientJoinRateLimitReached: Too many joins per second' },
      'join-rate-limit',
      'SUBSCRIPTION_FAILED',
      true,
    ],
    ['"Too many messages per second"', 'Too many messages per second', 'message-rate-limit', 'CHANNEL_ERROR', true],
    [
      'a subscription the server will not serve',
      'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [schema: public, table: todos, filters: []]',
      'subscription-refused',
      'SUBSCRIPTION_FAILED',
      false,
    ],
    [
      'Unauthorized on a private topic',
      { reason: 'Unauthorized: You do not have permissions to read from this Channel topic: t' },
      'unauthorized',
      'AUTHENTICATION_FAILED',
      false,
    ],
  ])(
    'types the server refusal %s, so users can switch on error.serverError',
    (_name, cause, serverError, type, retryable) => {
      const error = classifyChannelFailure('CHANNEL_ERROR', cause, 't', { socketOpen: true })
      expect(error).toMatchObject({ serverError, type, retryable })
      // Only type, message, retryable and the refusal enter the store.
      expect(JSON.parse(JSON.stringify(error))).toStrictEqual({ type, message: error.message, retryable, serverError })
    },
  )

  it('reads the refusal of a system message before the close that follows it', () => {
    const error = classifyChannelFailure('CLOSED', undefined, 't', { refusal: 'Too many messages per second' })
    expect(error.serverError).toBe('message-rate-limit')
    expect(error.message).toContain('Send fewer broadcasts or raise the plan')
  })

  it('names the table and filter of a refused subscription and says to check the publication', () => {
    const error = classifyChannelFailure('CHANNEL_ERROR', 'Unable to subscribe to changes with given parameters', 't', {
      bindings: 'public.todos (filter: id=eq.1)',
    })
    expect(error.message).toContain('public.todos (filter: id=eq.1)')
    expect(error.message).toContain('supabase_realtime publication')
    expect(error.message).toContain('recover()')
  })

  it('leaves serverError null for failures that are not refusals', () => {
    expect(classifyChannelFailure('CHANNEL_ERROR', 'socket closed: 1006', 't').serverError).toBeNull()
    expect(classifyChannelFailure('TIMED_OUT', 'Too many messages per second', 't').serverError).toBeNull()
  })
})
