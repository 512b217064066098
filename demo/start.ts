import { startDemo } from './server/startDemo.ts'

// `npm start`: the demo on the embedded stack, until Ctrl-C.
const demo = await startDemo()
console.log(`\n  rtk-supabase-realtime demo: ${demo.url}\n  (Supabase stand-in at ${demo.emulator.url}; Ctrl-C stops everything)\n`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return
    stopping = true
    console.log('\n  stopping…')
    demo.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  })
}
