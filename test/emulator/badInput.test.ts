import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeTextFrame, decodeUserBroadcastPush, encodeUserBroadcast, parseVsn } from '../../src/testing/emulator/protocol'
import { reached, startHarness, subscribe, type Harness, type RawClient } from './emulatorSupport'

describe('bad input gets an error reply or a close, never a crash', () => {
  let h: Harness
  let bystander: RawClient

  beforeEach(async () => {
    h = await startHarness({ maxPayloadBytes: 64 * 1024 })
    bystander = await h.raw()
    await bystander.reply(bystander.push('realtime:room', 'phx_join', {}))
  })
  afterEach(async () => {
    // Whatever happened, the server still serves the other client.
    expect((await bystander.reply(bystander.push('phoenix', 'heartbeat'))).status).toBe('ok')
    await h.stop()
  })

  const closes: [string, string | Buffer, number, RegExp, string?][] = [
    ['text that is not JSON', '{"topic": nope', 1007, /malformed frame: frame is not valid JSON/],
    ['a JSON value that is no message', '42', 1007, /neither a JSON array nor an object/],
    ['an array without topic and event', '[null,"1",7,null,{}]', 1007, /no string topic and event/],
    ['a short array', '["1","1","realtime:room"]', 1007, /needs \[join_ref, ref, topic, event, payload\]/],
    ['a vsn 1.0.0 object on a vsn 2.0.0 socket', '{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}', 1007, /object frame on a vsn 2.0.0 socket/],
    ['a vsn 2.0.0 array on a vsn 1.0.0 socket', '[null,"1","phoenix","heartbeat",{}]', 1007, /array frame on a vsn 1.0.0 socket/, '1.0.0'],
    ['a binary frame of an unknown kind', Buffer.from([7, 1, 2, 3]), 1007, /not a kind 3 user broadcast push/],
    ['a truncated kind 3 frame', Buffer.from([3, 9, 9, 9, 9, 9, 1, 65]), 1007, /not a kind 3/],
    ['a binary frame on a vsn 1.0.0 socket', Buffer.from(encodeUserBroadcast('realtime:room', 'e', {})), 1003, /binary frames need vsn 2.0.0/, '1.0.0'],
    ['a frame over the size limit', JSON.stringify([null, '1', 'realtime:room', 'broadcast', { event: 'big', payload: 'x'.repeat(70 * 1024) }]), 1009, /^$/],
    ['text that is not UTF-8', Buffer.from([0xff, 0xfe, 0xfd]), 1007, /^$/],
  ]
  it.each(closes)('closes a socket that sends %s', async (_name, data, code, reason, vsn = '2.0.0') => {
    const raw = await h.raw({ vsn })
    if (Buffer.isBuffer(data) && data[0] === 0xff) raw.socket.send(data, { binary: false })
    else raw.sendRaw(data)
    const closed = await raw.closed
    expect(closed.code).toBe(code)
    expect(closed.reason).toMatch(reason)
  })

  it('answers frames for a topic the socket has not joined with "unmatched topic"', async () => {
    const raw = await h.raw()
    expect(await raw.reply(raw.push('realtime:elsewhere', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }))).toEqual({ status: 'error', response: { reason: 'unmatched topic' } })
    expect(await raw.reply(raw.push('realtime:elsewhere', 'phx_leave'))).toEqual({ status: 'error', response: { reason: 'unmatched topic' } })
    expect(await raw.reply(raw.push('not-realtime', 'phx_join', {}))).toEqual({ status: 'error', response: { reason: 'unmatched topic' } })
    expect(await raw.reply(raw.push('phoenix', 'phx_join', {}))).toEqual({ status: 'error', response: { reason: 'unmatched topic' } })
    expect(await raw.reply(raw.push('realtime:', 'phx_join', {}))).toEqual({ status: 'error', response: { reason: 'TopicNameRequired: You must provide a topic name' } })
  })

  it('answers unknown events on a joined topic with an error reply', async () => {
    const raw = await h.raw()
    await raw.reply(raw.push('realtime:room', 'phx_join', {}))
    expect(await raw.reply(raw.push('realtime:room', 'teleport', {}))).toEqual({ status: 'error', response: { reason: 'unknown event "teleport"' } })
    expect((await raw.reply(raw.push('realtime:room', 'presence', { type: 'presence', event: 'track', payload: {} }))).status).toBe('ok')
  })

  it('joins with defaults when the join payload is not an object, ignores a non-string access_token, and handles a duplicate join', async () => {
    const raw = await h.raw()
    expect((await raw.reply(raw.push('realtime:room', 'phx_join', 'nonsense', { join_ref: '1' }))).status).toBe('ok')
    raw.push('realtime:room', 'access_token', { access_token: 42 })
    const again = raw.push('realtime:room', 'phx_join', { config: { postgres_changes: 'not a list' } }, { join_ref: '2' })
    const close = await raw.next((m) => m.event === 'phx_close')
    expect(close).toMatchObject({ join_ref: '1', ref: '1', topic: 'realtime:room' })
    expect(await raw.reply(again)).toEqual({ status: 'ok', response: { postgres_changes: [] } })
    expect(h.server.joinedTopics()).toContain('realtime:room')
  })

  it('keeps serving the supabase-js client next to a misbehaving socket', async () => {
    const client = h.client()
    const statuses = subscribe(client.channel('room'))
    await reached(statuses)
    const raw = await h.raw()
    raw.sendRaw('garbage')
    await raw.closed
    expect(statuses.map((s) => s.status)).toEqual(['SUBSCRIBED'])
  })
})

describe('the codec refuses what is not a message', () => {
  it('parses vsn query values: absent means 1.0.0, unknown means null', () => {
    expect([parseVsn(null), parseVsn(''), parseVsn('1.0.0'), parseVsn('2.0.0'), parseVsn('2.1.0')]).toEqual(['1.0.0', '1.0.0', '1.0.0', '2.0.0', null])
  })

  it('decodes either shape without a vsn, and rejects refs that are not strings', () => {
    expect(decodeTextFrame('{"topic":"t","event":"e","payload":1}')).toEqual({ ok: true, message: { join_ref: null, ref: null, topic: 't', event: 'e', payload: 1 } })
    expect(decodeTextFrame('["1","2","t","e",{}]')).toEqual({ ok: true, message: { join_ref: '1', ref: '2', topic: 't', event: 'e', payload: {} } })
    expect(decodeTextFrame('[1,2,"t","e",{}]').ok).toBe(false)
  })

  it('round-trips kind 4 frames and decodes kind 3 JSON and binary payloads with meta', () => {
    const header = (joinRef: string, ref: string, topic: string, event: string, meta: string, encoding: number) =>
      Buffer.concat([Buffer.from([3, joinRef.length, ref.length, topic.length, event.length, meta.length, encoding]), Buffer.from(joinRef + ref + topic + event + meta)])
    const json = Buffer.concat([header('1', '2', 'realtime:r', 'e', '{"k":1}', 1), Buffer.from('{"a":1}')])
    expect(decodeUserBroadcastPush(json)).toEqual({ join_ref: '1', ref: '2', topic: 'realtime:r', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: { a: 1 }, meta: { k: 1 } } })
    const binary = decodeUserBroadcastPush(Buffer.concat([header('', '', 'realtime:r', 'e', '', 0), Buffer.from([1, 2])]))
    expect(new Uint8Array((binary?.payload as { payload: ArrayBuffer }).payload)).toEqual(new Uint8Array([1, 2]))
    expect(decodeUserBroadcastPush(Buffer.concat([header('', '', 't', 'e', '', 1), Buffer.from('{nope')]))).toBeNull()
    expect(decodeUserBroadcastPush(Buffer.concat([header('', '', 't', 'e', '', 5), Buffer.from('{}')]))).toBeNull()
    expect(() => encodeUserBroadcast('t'.repeat(300), 'e', {})).toThrow(RangeError)
  })
})
