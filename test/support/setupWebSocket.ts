// supabase-js on Node 20 needs a global WebSocket before createClient; msw's ws.link patches it.
import WebSocket from 'ws'

if (typeof globalThis.WebSocket === 'undefined') {
  ;(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket
}
