import { processEnvironment, runEmulatorCli } from '../src/testing/emulator/cli.ts'
import { demoSetupSql, withDemoDatabase } from './server/demoDatabase.ts'

// `npm run emulator`: the emulator alone (its command line, arguments passed through), on the
// database the demo runs on: demo/schema.sql and the gallery's Broadcast from Database trigger
// and policy, from the same function `npm start` uses. A --setup-sql file runs after them.
process.exitCode = await runEmulatorCli(
  process.argv.slice(2),
  withDemoDatabase(processEnvironment, await demoSetupSql()),
)
