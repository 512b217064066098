import { readFile } from 'node:fs/promises'
import { broadcastChangesSql } from '../../src/sql/broadcastChangesSql.ts'
import type { CliEnvironment } from '../../src/testing/index.ts'

/**
 * The gallery's table arrives by Broadcast from Database: every change of a generation goes to
 * the private topic of its project, `project:<project_id>`, the topic the app subscribes to.
 * The demo has one user, who may read every project; a real app narrows the policy with
 * `using` (a membership check on `realtime.topic()`, as in the README).
 */
const GALLERY_BROADCAST = { table: 'generations', topic: { prefix: 'project:', column: 'project_id' } } as const

/**
 * The tables whose changes postgres_changes streams (the publication): every table but
 * generations, which only Broadcast from Database carries, as after a move off postgres_changes.
 */
export const PUBLISHED_TABLES = ['projects', 'shots', 'shot_generations', 'tasks']

/** The SQL the emulator runs on start: the demo's schema and seed, then the gallery's trigger and policy. */
export async function demoSetupSql(): Promise<string> {
  const schema = await readFile(new URL('../schema.sql', import.meta.url), 'utf8')
  return `${schema}\n${broadcastChangesSql(GALLERY_BROADCAST)}`
}

/**
 * The emulator command's environment with the demo's database under it (`npm run emulator`): every
 * start runs `demoSql` first, then the SQL of `--setup-sql` if one was given, and publishes the
 * demo's {@link PUBLISHED_TABLES} unless told otherwise.
 */
export function withDemoDatabase(env: CliEnvironment, demoSql: string): CliEnvironment {
  return {
    ...env,
    start: (options) =>
      env.start({
        ...options,
        // As `npm start` does: generations reach apps by Broadcast from Database only.
        tables: options.tables ?? PUBLISHED_TABLES,
        setupSql: options.setupSql === undefined ? demoSql : `${demoSql}\n${options.setupSql}`,
      }),
  }
}
