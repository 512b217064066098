import { defineRoutes } from 'rtk-supabase-realtime'
import type { api } from './api.js'

// Tag types are checked against the api's tagTypes: a consumer on NodeNext gets the error too.
export const routes = defineRoutes<typeof api>()([
  { on: { table: 'generations' }, tags: () => [{ type: 'UnifiedGenerations', id: 'project:1' }] },
  // @ts-expect-error: 'NoSuchTag' is not one of api's tagTypes
  { on: { table: 'generations' }, tags: () => [{ type: 'NoSuchTag', id: 'project:1' }] },
])
