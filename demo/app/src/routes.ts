import { defineRoutes, type Row } from 'rtk-supabase-realtime'
import type { api } from './api'

const field = (row: Row | null, name: string): unknown => row?.[name]

/** The shots a shot_generations change touches: the new row's and, when it moved, the old row's. */
function shotsOf(newRow: Row | null, oldRow: Row | null): unknown[] {
  return [
    ...new Set(
      [field(newRow, 'shot_id'), field(oldRow, 'shot_id')].filter((shot) => shot !== undefined && shot !== null),
    ),
  ]
}

/** The canonical invalidation map (README), typed against the demo's api. */
export const routes = defineRoutes<typeof api>()([
  {
    // A generation added, starred or deleted: the project's gallery and every shot view of the project.
    on: { table: 'generations' },
    tags: (e) => {
      const projectId = String(field(e.new, 'project_id') ?? field(e.old, 'project_id'))
      return [
        { type: 'UnifiedGenerations', id: `project:${projectId}` },
        { type: 'Shots', id: projectId },
      ]
    },
  },
  {
    // A generation moved into or out of a shot: the shots involved.
    on: { table: 'shot_generations' },
    tags: (e) =>
      shotsOf(e.new, e.old).map((shot) => ({ type: 'UnifiedGenerations' as const, id: `shot:${String(shot)}` })),
  },
  {
    // Task status transitions: the counters (progress-only updates change nothing we show).
    on: { table: 'tasks' },
    tags: (e) => {
      const statusUnchanged = e.eventType === 'UPDATE' && field(e.old, 'status') === field(e.new, 'status')
      return statusUnchanged
        ? []
        : [{ type: 'TaskStatusCounts', id: String(field(e.new, 'project_id') ?? field(e.old, 'project_id')) }]
    },
  },
])
