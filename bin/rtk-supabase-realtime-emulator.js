#!/usr/bin/env node
// The local realtime emulator for demos: `npx rtk-supabase-realtime-emulator --help`.
import { runEmulatorCli } from '../dist/testing.js'

runEmulatorCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    console.error(error)
    process.exitCode = 1
  },
)
