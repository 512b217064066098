// The names README blocks use without defining them: they continue the Quick start.
import type { api as Api, useGetTasksQuery as UseGetTasksQuery } from './api.js'
import type { store as Store, realtime as Realtime } from './store.js'
import type { supabase as Supabase } from './supabase.js'

declare global {
  const api: typeof Api
  const useGetTasksQuery: typeof UseGetTasksQuery
  const supabase: typeof Supabase
  const store: typeof Store
  const realtime: typeof Realtime
  const dispatch: typeof Store.dispatch
  const el: HTMLElement
  const App: () => null
  const url: string
  const key: string
  // Vite's import.meta.env, as an app built with Vite has it.
  interface ImportMetaEnv {
    readonly DEV: boolean
  }
  interface ImportMeta {
    readonly env: ImportMetaEnv
  }
}
