import { createClient, type WebSocketLikeConstructor } from '@supabase/supabase-js'
import WebSocket from 'ws'

// As the README's Node 20 note writes it.
export const supabase = createClient('http://127.0.0.1:54321', 'anon-key', {
  realtime: { transport: WebSocket as unknown as WebSocketLikeConstructor },
})
