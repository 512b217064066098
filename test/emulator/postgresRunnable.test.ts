import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkPostgresRunnable } from '../../src/testing/emulator/db/postgresRunnable'

describe('checkPostgresRunnable: a Postgres that cannot run is a rejection naming the cause and the fix, never a crash', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-runnable-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('rejects with spawn EACCES for a binary that may not be executed', async () => {
    const initdb = join(dir, 'initdb')
    await writeFile(initdb, '#!/bin/sh\nexit 0\n')
    await chmod(initdb, 0o600)
    const error = await checkPostgresRunnable(initdb).then(
      () => null,
      (caught: Error) => caught,
    )
    expect(error?.message).toMatch(
      /^embedded Postgres cannot start: this user cannot execute .*initdb \(spawn EACCES\)\./,
    )
    expect(error?.message).toMatch(
      /read and execute access .* or set DATABASE_URL to a Postgres running with wal_level=logical\.$/,
    )
  })

  it('rejects with spawn ENOENT for a binary that is not there, and names the user Postgres runs as', async () => {
    const error = await checkPostgresRunnable(join(dir, 'missing'), {
      uid: process.getuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
    }).then(
      () => null,
      (caught: Error) => caught,
    )
    expect(error?.message).toMatch(
      /the system user "postgres" \(uid \d+; Postgres refuses to run as root\) cannot execute .*missing \(spawn ENOENT\)/,
    )
  })

  it('resolves for a binary that runs', async () => {
    const initdb = join(dir, 'initdb')
    await writeFile(initdb, '#!/bin/sh\nexit 0\n')
    await chmod(initdb, 0o755)
    await expect(checkPostgresRunnable(initdb)).resolves.toBeUndefined()
  })
})
