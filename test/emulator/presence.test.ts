import type { RealtimeChannel } from '@supabase/supabase-js'
import { afterEach, describe, expect, it } from 'vitest'
import type { PhoenixMessage, Vsn } from '../../src/testing/emulator/protocol'
import { waitFor } from '../support/waitFor'
import { reached, startHarness, subscribe, type Harness, type RawClient } from './emulatorSupport'

let joins = 0

/** Joins `realtime:room` on a raw client with `config`; resolves with the join_ref once the join is answered. */
async function joinRoom(raw: RawClient, config: Record<string, unknown>): Promise<string> {
  const joinRef = `join-${++joins}`
  const reply = await raw.reply(raw.push('realtime:room', 'phx_join', { config }, { ref: joinRef, join_ref: joinRef }))
  expect(reply.status).toBe('ok')
  return joinRef
}

/** Sends a presence push on the raw client's joined room and resolves with the reply. */
function presencePush(raw: RawClient, joinRef: string, payload: unknown) {
  return raw.reply(raw.push('realtime:room', 'presence', payload, { join_ref: joinRef }))
}

type PresenceEvent = { event: string; key?: string; newPresences?: unknown[]; leftPresences?: unknown[] }

/** A channel on `room` with presence listeners; records every presence event it fires. */
function presenceChannel(h: Harness, key: string, vsn: Vsn): { channel: RealtimeChannel; events: PresenceEvent[] } {
  const events: PresenceEvent[] = []
  const channel = h
    .client({ vsn })
    .channel('room', { config: { presence: { key } } })
    .on('presence', { event: 'sync' }, () => events.push({ event: 'sync' }))
    .on('presence', { event: 'join' }, (e) => events.push(e as PresenceEvent))
    .on('presence', { event: 'leave' }, (e) => events.push(e as PresenceEvent))
  return { channel, events }
}

describe('presence: track, untrack, presence_state and presence_diff as supabase-js expects', () => {
  let h: Harness
  afterEach(async () => {
    await h.stop()
  })

  for (const vsn of ['1.0.0', '2.0.0'] as const) {
    it(`fires sync, join and leave in real supabase-js over vsn ${vsn}, and keeps presenceState() true`, async () => {
      h = await startHarness()
      const alice = presenceChannel(h, 'alice', vsn)
      const bob = presenceChannel(h, 'bob', vsn)
      await reached(subscribe(alice.channel))
      await reached(subscribe(bob.channel))

      await expect(alice.channel.track({ status: 'online' })).resolves.toBe('ok')
      await expect(bob.channel.track({ status: 'away' })).resolves.toBe('ok')
      await waitFor(() => Object.keys(alice.channel.presenceState()).length === 2)
      const state = alice.channel.presenceState<{ status: string }>()
      expect(state.alice).toEqual([{ status: 'online', presence_ref: expect.any(String) }])
      expect(state.bob).toEqual([{ status: 'away', presence_ref: expect.any(String) }])
      expect(bob.events).toContainEqual(expect.objectContaining({ event: 'join', key: 'alice' }))
      expect(bob.events).toContainEqual({ event: 'sync' })

      await expect(bob.channel.untrack()).resolves.toBe('ok')
      await waitFor(() => alice.events.some((e) => e.event === 'leave' && e.key === 'bob'))
      expect(Object.keys(alice.channel.presenceState())).toEqual(['alice'])

      await bob.channel.track({ status: 'back' })
      await waitFor(() => alice.channel.presenceState().bob !== undefined)
      await bob.channel.unsubscribe()
      await waitFor(() => alice.events.filter((e) => e.event === 'leave' && e.key === 'bob').length === 2)
      expect(Object.keys(alice.channel.presenceState())).toEqual(['alice'])
    })
  }

  it('sends presence_state after the join reply only when config.presence.enabled, with the join_ref', async () => {
    h = await startHarness()
    const tracker = await h.raw()
    const joinRef = await joinRoom(tracker, { presence: { key: 'k1' } })
    await presencePush(tracker, joinRef, { type: 'presence', event: 'track', payload: { n: 1 } })

    const late = await h.raw()
    const ref = late.push(
      'realtime:room',
      'phx_join',
      { config: { presence: { enabled: 'TRUE' } } },
      { join_ref: 'j9' },
    )
    expect((await late.reply(ref)).status).toBe('ok')
    const state = await late.next((m) => m.event === 'presence_state')
    expect(state.join_ref).toBe('j9')
    expect(state.payload).toEqual({ k1: { metas: [{ n: 1, phx_ref: expect.any(String) }] } })

    const off = await h.raw()
    await joinRoom(off, { presence: { enabled: 1 } })
    await off.answered()
    expect(off.received.some((m) => !Buffer.isBuffer(m) && m.event === 'presence_state')).toBe(false)
  })

  it('gives a join without a usable key a generated one, and uses a numeric key as its string', async () => {
    h = await startHarness()
    const keys: string[] = []
    for (const key of ['', undefined, { nested: true }, 7]) {
      const raw = await h.raw()
      const joinRef = await joinRoom(raw, { presence: { key } })
      await presencePush(raw, joinRef, { event: 'track', payload: {} })
      const diff = await raw.next(
        (m) => m.event === 'presence_diff' && Object.keys((m.payload as { joins: object }).joins).length > 0,
      )
      keys.push(...Object.keys((diff.payload as { joins: Record<string, unknown> }).joins))
      raw.socket.close()
    }
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
    expect(keys).toEqual([expect.stringMatching(uuid), expect.stringMatching(uuid), expect.stringMatching(uuid), '7'])
  })

  it('sends an update as a join of the new meta and a leave of the old one; an unchanged payload sends nothing', async () => {
    h = await startHarness()
    const raw = await h.raw()
    const joinRef = await joinRoom(raw, { presence: { key: 'me' } })
    const track = (payload: unknown) => presencePush(raw, joinRef, { event: 'track', payload })
    await track({ v: 1 })
    await track({ v: 2 })
    await track({ v: 2 })
    await raw.answered()
    const diffs = raw.received.filter((m): m is PhoenixMessage => !Buffer.isBuffer(m) && m.event === 'presence_diff')
    expect(diffs).toHaveLength(2)
    const first = diffs[0]!.payload as { joins: { me: { metas: Record<string, unknown>[] } } }
    const ref = first.joins.me.metas[0]!.phx_ref
    expect(diffs[1]!.payload).toEqual({
      joins: { me: { metas: [{ v: 2, phx_ref: expect.any(String), phx_ref_prev: ref }] } },
      leaves: { me: { metas: [{ v: 1, phx_ref: ref }] } },
    })
  })

  it('sends the leave of a socket that closes to the channels that stay', async () => {
    h = await startHarness()
    const stays = await h.raw()
    await joinRoom(stays, { presence: { enabled: true } })
    const goes = await h.raw()
    const joinRef = await joinRoom(goes, { presence: { key: 'gone' } })
    await presencePush(goes, joinRef, { event: 'track', payload: { a: 1 } })
    goes.socket.close()
    const leave = await stays.next(
      (m) => m.event === 'presence_diff' && Object.keys((m.payload as { leaves: object }).leaves).length > 0,
    )
    expect(leave.payload).toEqual({ joins: {}, leaves: { gone: { metas: [{ a: 1, phx_ref: expect.any(String) }] } } })
  })

  it('sends the leave of a channel that leaves to the channels that stay, and nothing to the one that left', async () => {
    h = await startHarness()
    const stays = await h.raw()
    await joinRoom(stays, { presence: { enabled: true } })
    const goes = await h.raw()
    const joinRef = await joinRoom(goes, { presence: { key: 'left' } })
    await presencePush(goes, joinRef, { event: 'track', payload: {} })
    await goes.reply(goes.push('realtime:room', 'phx_leave', {}, { join_ref: joinRef }))
    const leave = await stays.next(
      (m) => m.event === 'presence_diff' && Object.keys((m.payload as { leaves: object }).leaves).length > 0,
    )
    expect(Object.keys((leave.payload as { leaves: object }).leaves)).toEqual(['left'])
    await goes.answered()
    const own = goes.received.filter((m) => !Buffer.isBuffer(m) && m.event === 'presence_diff')
    expect(own).toHaveLength(1) // its own join only
  })
})
