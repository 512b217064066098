// Run after the type check: the entries import under Node, and require() says "ESM only".
import { createRequire } from 'node:module'
import * as core from 'rtk-supabase-realtime'
import * as react from 'rtk-supabase-realtime/react'
import * as testing from 'rtk-supabase-realtime/testing'

const require = createRequire(import.meta.url)
for (const [name, entry] of [
  ['core', core],
  ['react', react],
  ['testing', testing],
]) {
  if (Object.keys(entry).length === 0) throw new Error(`the ${name} entry exports nothing`)
}
try {
  require('rtk-supabase-realtime')
  throw new Error('require() of the package did not throw')
} catch (error) {
  const { code, message } = error
  if (code !== 'ERR_REQUIRE_ESM' || !message.includes('ESM only')) throw error
}
console.log('consumer: the three entries import, and require() explains that the package is ESM only')
