import { createClient } from '@supabase/supabase-js'
import { config } from './config'

/**
 * The app's one Supabase client. It signs in as a demo user whose token comes from the demo
 * server on every request and join, so when the chaos strip expires every token, the next
 * join (after the library's forced refresh) carries a valid one.
 */
export const supabase = createClient(config.supabaseUrl, config.anonKey, {
  accessToken: async () => {
    const response = await fetch('/__demo/token', { cache: 'no-store' })
    if (!response.ok) throw new Error(`demo token: HTTP ${response.status}`)
    return response.text()
  },
})
