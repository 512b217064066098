import { randomUUID } from 'node:crypto'
import type { Pool, PoolClient } from 'pg'
import type { JwtClaims } from '../types'
import { createRoleExists } from './roleExists'

/** RLS checks on `realtime.messages`, as the real server runs them for private channels. */
export interface MessagePolicies {
  /**
   * Whether `claims` may read (join, receive) or write (send) on `topic`, for the `extension`
   * (`broadcast` unless given, or `presence`); null when the database has no role of that name
   * (the emulator then falls back to its default rule).
   */
  allows(
    kind: 'read' | 'write',
    topic: string,
    claims: JwtClaims,
    extension?: 'broadcast' | 'presence',
  ): Promise<boolean | null>
}

const INSUFFICIENT_PRIVILEGE = '42501'

/** The session settings policies see: role, `realtime.topic()`, the JWT claims. */
async function setConfig(client: PoolClient, topic: string, claims: JwtClaims, role: string): Promise<void> {
  await client.query(
    `select set_config('role', $1, true), set_config('realtime.topic', $2, true), set_config('request.jwt.claims', $3, true),
            set_config('request.jwt.claim.sub', $4, true), set_config('request.jwt.claim.role', $1, true), set_config('request.headers', '{}', true)`,
    [role, topic, JSON.stringify(claims), typeof claims.sub === 'string' ? claims.sub : ''],
  )
}

/**
 * Checks private channel access with the database's own RLS policies on `realtime.messages`:
 * read inserts a probe message (as the emulator) and selects it back as the user; write inserts
 * one as the user. Both run in a transaction that is rolled back.
 *
 * @example
 * const policies = createMessagePolicies(pool)
 * await policies.allows('read', 'room:1', { role: 'authenticated', sub: 'user-1' })
 */
export function createMessagePolicies(pool: Pool): MessagePolicies {
  const roleExists = createRoleExists(pool)
  return {
    async allows(kind, topic, claims, extension = 'broadcast') {
      const role = typeof claims.role === 'string' ? claims.role : ''
      if (!role || !(await roleExists(role))) return null
      const client = await pool.connect()
      try {
        await client.query('begin')
        if (kind === 'read') {
          const id = randomUUID()
          await client.query(`insert into realtime.messages (id, topic, extension) values ($1, $2, $3)`, [
            id,
            topic,
            extension,
          ])
          await setConfig(client, topic, claims, role)
          return ((await client.query('select id from realtime.messages where id = $1', [id])).rowCount ?? 0) > 0
        }
        await setConfig(client, topic, claims, role)
        try {
          await client.query(`insert into realtime.messages (topic, extension) values ($1, $2)`, [topic, extension])
          return true
        } catch (error) {
          if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) return false
          throw error
        }
      } finally {
        await client.query('rollback').catch(() => undefined)
        client.release()
      }
    },
  }
}
