import { describe, expect, it } from 'vitest'
import type { RowVisibility } from '../../src/testing/emulator/db/rowVisibility'
import { createStaticCatalog } from '../../src/testing/emulator/realtime/catalog'
import { waitFor } from '../support/waitFor'
import { startHarness } from './emulatorSupport'

const columns = [
  { name: 'id', type: 'int8' },
  { name: 'owner', type: 'text' },
]
const catalog = createStaticCatalog([
  { schema: 'public', name: 'secret', columns, primaryKey: ['id'], rls: true },
  { schema: 'public', name: 'open', columns, primaryKey: ['id'] },
])

describe('postgres_changes of an RLS table wait for the row check and keep commit order', () => {
  it('delivers what the check allows, drops what it refuses, and never lets a later change overtake', async () => {
    const pending: Array<(visible: boolean) => void> = []
    const rowVisibility: RowVisibility = {
      visible: () => new Promise<boolean>((resolve) => pending.push((visible) => resolve(visible))),
    }
    const h = await startHarness({ catalog, rowVisibility })
    try {
      const raw = await h.raw()
      await raw.reply(
        raw.push('realtime:t', 'phx_join', {
          config: { postgres_changes: [{ event: '*', schema: 'public', table: '*' }] },
        }),
      )
      await raw.next((m) => m.event === 'system')
      h.changes.push({ table: 'secret', type: 'INSERT', columns, record: { id: 1, owner: 'a' } })
      h.changes.push({ table: 'secret', type: 'INSERT', columns, record: { id: 2, owner: 'b' } })
      h.changes.push({ table: 'open', type: 'INSERT', columns, record: { id: 3, owner: 'c' } })
      h.changes.push({ table: 'secret', type: 'DELETE', columns, oldRecord: { id: 1, owner: 'a' } })
      expect(raw.received.filter((m) => !Buffer.isBuffer(m) && m.event === 'postgres_changes')).toEqual([])
      await waitFor(() => pending.length === 1)
      pending.shift()!(true)
      await waitFor(() => pending.length === 1)
      pending.shift()!(false)
      await raw.next(
        (m) => m.event === 'postgres_changes' && (m.payload as { data: { type: string } }).data.type === 'DELETE',
      )
      const delivered = raw.received.flatMap((m) => {
        if (Buffer.isBuffer(m) || m.event !== 'postgres_changes') return []
        const data = (
          m.payload as { data: { table: string; record?: { id: number }; old_record?: Record<string, unknown> } }
        ).data
        return [[data.table, data.record?.id ?? data.old_record]]
      })
      expect(delivered).toEqual([
        ['secret', 1],
        ['open', 3],
        ['secret', { id: 1 }], // a DELETE of an RLS table: old_record trimmed to the key, not checked
      ])
    } finally {
      await h.stop()
    }
  })
})
