import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { PUBLISHED_TABLES, demoSetupSql, withDemoDatabase } from '../../demo/server/demoDatabase'
import type { CliEnvironment } from '../../src/testing/emulator/cli'
import type { RealtimeEmulator, StartRealtimeEmulatorOptions } from '../../src/testing/emulator/types'

function recordingEnvironment() {
  const started: StartRealtimeEmulatorOptions[] = []
  const env: CliEnvironment = {
    out: () => undefined,
    err: () => undefined,
    onStopSignal: () => () => undefined,
    async start(options) {
      started.push(options)
      return {} as RealtimeEmulator
    },
  }
  return { env, started }
}

describe("the demo's database", () => {
  it("is demo/schema.sql, then the gallery's Broadcast from Database trigger and its read policy", async () => {
    const schema = await readFile(new URL('../../demo/schema.sql', import.meta.url), 'utf8')
    const sql = await demoSetupSql()
    expect(sql.startsWith(schema)).toBe(true)
    const rest = sql.slice(schema.length)
    expect(rest).toMatch(/create trigger "generations_broadcast_changes"/i)
    expect(rest).toMatch(/realtime\.broadcast_changes/)
    expect(rest).toContain('public.generations broadcast changes: read')
  })

  it('is what the emulator command starts on, before the SQL of --setup-sql, publishing what the demo publishes', async () => {
    const { env, started } = recordingEnvironment()
    const demo = withDemoDatabase(env, 'create table demo ();')
    await demo.start({ port: 54321 })
    await demo.start({ port: 0, setupSql: 'insert into demo default values;', tables: ['demo'] })
    expect(started).toEqual([
      { port: 54321, tables: PUBLISHED_TABLES, setupSql: 'create table demo ();' },
      { port: 0, tables: ['demo'], setupSql: 'create table demo ();\ninsert into demo default values;' },
    ])
    expect(PUBLISHED_TABLES).not.toContain('generations') // generations come by Broadcast from Database only
  })
})
