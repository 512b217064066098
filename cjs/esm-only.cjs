'use strict'
// rtk-supabase-realtime ships ES modules only; this file answers require() with a clear error
// instead of Node's ERR_PACKAGE_PATH_NOT_EXPORTED.
const error = new Error(
  "rtk-supabase-realtime is ESM only: use `import { createRealtime } from 'rtk-supabase-realtime'`, " +
    "or `await import('rtk-supabase-realtime')` from CommonJS. require() is not supported.",
)
error.code = 'ERR_REQUIRE_ESM'
throw error
