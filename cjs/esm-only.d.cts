/**
 * rtk-supabase-realtime is ESM only: `require()` of it throws ERR_REQUIRE_ESM, so a CommonJS
 * module sees no exports here. Use `import` from an ES module, or `await import('rtk-supabase-realtime')`
 * from CommonJS (which has the complete types).
 */
export {}
