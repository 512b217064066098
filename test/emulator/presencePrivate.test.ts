import { afterEach, describe, expect, it } from 'vitest'
import type { MessagePolicies } from '../../src/testing/emulator/db/messagePolicies'
import type { PhoenixMessage } from '../../src/testing/emulator/protocol'
import { startHarness, userToken, type Harness, type RawClient } from './emulatorSupport'

let joins = 0

/** Joins the private `realtime:room` as `sub`; resolves with the join_ref. */
async function joinAs(raw: RawClient, sub: string, presence: Record<string, unknown>): Promise<string> {
  const joinRef = `join-${++joins}`
  const payload = { config: { private: true, presence }, access_token: userToken({ sub }) }
  const reply = await raw.reply(raw.push('realtime:room', 'phx_join', payload, { ref: joinRef, join_ref: joinRef }))
  expect(reply.status).toBe('ok')
  return joinRef
}

const presenceFrames = (raw: RawClient) =>
  raw.received.filter(
    (m): m is PhoenixMessage => !Buffer.isBuffer(m) && (m.event === 'presence_state' || m.event === 'presence_diff'),
  )

/** Policies where everyone reads broadcasts, `blind` may not read presence and `mute` may not track. */
const policies: MessagePolicies = {
  async allows(kind, _topic, claims, extension = 'broadcast') {
    if (extension === 'broadcast') return true
    if (claims.sub === 'broken') throw Object.assign(new Error('policy failed'), { code: 'XX000' })
    return kind === 'read' ? claims.sub !== 'blind' : claims.sub !== 'mute'
  },
}

describe('presence on private channels follows the presence policies of realtime.messages', () => {
  let h: Harness
  afterEach(async () => {
    await h.stop()
  })

  it('withholds presence_state and diffs from a member its SELECT policy denies, and refuses a track its INSERT policy denies', async () => {
    h = await startHarness({ policies })
    const reader = await h.raw()
    await joinAs(reader, 'reader', { enabled: true })
    const blind = await h.raw()
    await joinAs(blind, 'blind', { enabled: true })
    const writer = await h.raw()
    const writerRef = await joinAs(writer, 'writer', { key: 'w' })
    const mute = await h.raw()
    const muteRef = await joinAs(mute, 'mute', {})

    const track = (raw: RawClient, joinRef: string) =>
      raw.reply(raw.push('realtime:room', 'presence', { event: 'track', payload: { a: 1 } }, { join_ref: joinRef }))
    expect(await track(writer, writerRef)).toEqual({ status: 'ok', response: {} })
    expect(await track(mute, muteRef)).toEqual({ status: 'error', response: {} })
    await Promise.all([reader.answered(), blind.answered()])
    expect(presenceFrames(reader).map((m) => m.event)).toEqual(['presence_state', 'presence_diff'])
    expect(presenceFrames(blind)).toEqual([])
  })

  it('sends no diffs to a private channel that did not enable presence until it tracks itself', async () => {
    h = await startHarness({ policies })
    const writer = await h.raw()
    const writerRef = await joinAs(writer, 'writer', { key: 'w' })
    const late = await h.raw()
    const lateRef = await joinAs(late, 'late', { key: 'l' })
    await writer.reply(
      writer.push('realtime:room', 'presence', { event: 'track', payload: {} }, { join_ref: writerRef }),
    )
    await late.answered()
    expect(presenceFrames(late)).toEqual([])

    await late.reply(late.push('realtime:room', 'presence', { event: 'track', payload: {} }, { join_ref: lateRef }))
    const own = await late.next((m) => m.event === 'presence_diff')
    expect(Object.keys((own.payload as { joins: object }).joins)).toEqual(['l'])
  })

  it('answers a track whose policy check fails with an error reply, and keeps the socket open', async () => {
    h = await startHarness({ policies })
    const raw = await h.raw()
    const joinRef = await joinAs(raw, 'broken', { enabled: true })
    const reply = await raw.reply(raw.push('realtime:room', 'presence', { event: 'track' }, { join_ref: joinRef }))
    expect(reply).toEqual({ status: 'error', response: {} })
    await raw.answered()
    expect(presenceFrames(raw)).toEqual([]) // read was refused too, at join
  })
})
