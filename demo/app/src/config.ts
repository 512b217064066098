/** Where the demo server's Supabase stand-in listens (injected at build time by the demo server). */
declare const __DEMO_CONFIG__: { supabaseUrl: string; anonKey: string }

export const config = __DEMO_CONFIG__
